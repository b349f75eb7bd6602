"""review queue: messages the assistant missed, de-identified, for the trainers

Revision ID: 607027909d30
Revises: 79db556719a7
Create Date: 2026-11-27 09:36:13.126332

No column links an item to the person (no user key, chat id or time finer than the day).
"""

from alembic import op
import sqlalchemy as sa


revision = '607027909d30'
down_revision = '79db556719a7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('normalised', sa.Text(), nullable=False),
    sa.Column('group_key', sa.String(length=64), nullable=False),
    sa.Column('predicted_intent', sa.String(length=64), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('reason', sa.Enum('fallback', 'low_confidence', name='review_reason', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'labelled', 'exported', 'skipped', name='review_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=True),
    sa.Column('labelled_on', sa.Date(), nullable=True),
    sa.Column('exported_on', sa.Date(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_item')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_review_item_dedupe_key'))
    )
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_item_received_on'), ['received_on'], unique=False)
        batch_op.create_index('ix_review_item_status_group_key', ['status', 'group_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.drop_index('ix_review_item_status_group_key')
        batch_op.drop_index(batch_op.f('ix_review_item_received_on'))

    op.drop_table('review_item')
