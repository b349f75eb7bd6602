"""dashboard: staff users, referral history, notification outbox, append-only audit log

Revision ID: 440d53fc150e
Revises: bd9d7c3a4778
Create Date: 2026-11-27 07:16:53.788672

The audit log is append-only: triggers refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE).
A later migration that rebuilds `audit_log` in SQLite batch mode must create the triggers again.
"""

from alembic import op
import sqlalchemy as sa


revision = '440d53fc150e'
down_revision = 'bd9d7c3a4778'
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "audit_log is append-only"

POSTGRES_TRIGGERS = (
    f"""
    CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """,
    """
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
    """,
)
SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
    """,
)


def _staff_role() -> sa.Enum:
    return sa.Enum('caseworker', 'supervisor', 'admin', 'trainer', name='staff_role',
                   native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    op.create_table('staff_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', _staff_role(), nullable=False),
    sa.Column('organisation', sa.String(length=64), nullable=False),
    sa.Column('governorates', sa.String(length=400), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_user')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_user_username'))
    )

    # Existing referrals belong to the default organisation.
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation', sa.String(length=64), server_default='default', nullable=False))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('referred_to', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('first_action_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_referral_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_organisation'), ['organisation'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_referral_assignee_id_staff_user'), 'staff_user', ['assignee_id'], ['id'], ondelete='SET NULL')

    op.create_table('referral_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('created', 'status_changed', 'assigned', 'note', name='event_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('referred_to', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id'], name=op.f('fk_referral_event_actor_id_staff_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff_user.id'], name=op.f('fk_referral_event_assignee_id_staff_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_event_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_event'))
    )
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_event_referral_id'), ['referral_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=80), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.Enum('returnee', 'caseworkers', name='notification_target', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('user_key', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.Enum('status_changed', 'urgent_referral', name='notification_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('referral_status', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', 'skipped', name='notification_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['referral_event.id'], name=op.f('fk_notification_event_id_referral_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_notification_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notification_dedupe_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index('ix_notification_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_username', sa.String(length=64), nullable=True),
    sa.Column('organisation', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('referral_code', sa.String(length=12), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_action_created_at', ['action', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_username'), ['actor_username'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_ip'), ['ip'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_or_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_ip'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_username'))
        batch_op.drop_index('ix_audit_log_action_created_at')
    op.drop_table('audit_log')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_notification_referral_id'))
    op.drop_table('notification')

    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_event_referral_id'))
    op.drop_table('referral_event')

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referral_assignee_id_staff_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_referral_organisation'))
        batch_op.drop_index(batch_op.f('ix_referral_assignee_id'))
        batch_op.drop_column('first_action_at')
        batch_op.drop_column('referred_to')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('organisation')

    op.drop_table('staff_user')
