"""Every text of the dashboard, in Arabic (the default) and English, in one place.

Names of categories, governorates and statuses come from content/messages.yml (the bot uses the
same ones). `{fields}` are filled by `translate(key, lang, field=value)`.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("ar", "en")

TEXTS: dict[str, dict[str, str]] = {
    # --- frame and navigation
    "app_name": {"ar": "لوحة متابعة الطلبات", "en": "Referral dashboard"},
    "nav_label": {"ar": "الأقسام", "en": "Sections"},
    "nav_referrals": {"ar": "الطلبات", "en": "Referrals"},
    "nav_overview": {"ar": "نظرة عامة", "en": "Overview"},
    "nav_audit": {"ar": "سجل التدقيق", "en": "Audit log"},
    "nav_users": {"ar": "الحسابات", "en": "Accounts"},
    "nav_review": {"ar": "رسائل للمراجعة", "en": "Review"},
    "switch_language": {"ar": "English", "en": "العربية"},
    "logout": {"ar": "تسجيل الخروج", "en": "Log out"},
    "back_home": {"ar": "العودة إلى الصفحة الرئيسية", "en": "Back to the start page"},
    "role_caseworker": {"ar": "موظف حالة", "en": "Caseworker"},
    "role_supervisor": {"ar": "مشرف", "en": "Supervisor"},
    "role_admin": {"ar": "مدير النظام", "en": "Administrator"},
    "role_trainer": {"ar": "مدرّب المساعد", "en": "Trainer"},
    "no_access_title": {"ar": "لا توجد صفحات لحسابك هنا", "en": "Nothing here for your account"},
    "no_access": {
        "ar": "حسابك لا يطّلع على الطلبات. راجع مدير النظام إذا كنت تحتاج إلى صلاحية أخرى.",
        "en": "Your account does not see referrals. Ask an administrator if you need other access.",
    },
    # --- login
    "login_title": {"ar": "تسجيل الدخول", "en": "Log in"},
    "username": {"ar": "اسم المستخدم", "en": "Username"},
    "password": {"ar": "كلمة المرور", "en": "Password"},
    "login_button": {"ar": "دخول", "en": "Log in"},
    "login_failed": {
        "ar": "اسم المستخدم أو كلمة المرور غير صحيحة.",
        "en": "The username or password is not correct.",
    },
    "login_rate_limited": {
        "ar": "محاولات فاشلة كثيرة. انتظر {minutes} دقيقة ثم حاول مرة أخرى، أو راجع مدير النظام.",
        "en": "Too many failed attempts. Wait {minutes} minutes and try again, or ask an "
              "administrator.",
    },
    # --- errors
    "error_csrf_title": {"ar": "انتهت صلاحية النموذج", "en": "The form has expired"},
    "error_csrf": {
        "ar": "لم نتمكن من التحقق من هذا النموذج. أعد تحميل الصفحة وحاول مرة أخرى.",
        "en": "This form could not be verified. Reload the page and try again.",
    },
    "error_400_title": {"ar": "طلب غير صالح", "en": "Bad request"},
    "error_400": {"ar": "لم نفهم هذا الطلب.", "en": "This request could not be understood."},
    "error_401_title": {"ar": "يلزم تسجيل الدخول", "en": "Please log in"},
    "error_401": {"ar": "سجّل الدخول أولاً.", "en": "Log in first."},
    "error_403_title": {"ar": "غير مسموح", "en": "Not allowed"},
    "error_403": {
        "ar": "حسابك لا يملك صلاحية هذه الصفحة.", "en": "Your account may not open this page.",
    },
    "error_404_title": {"ar": "غير موجود", "en": "Not found"},
    "error_404": {
        "ar": "لا توجد هذه الصفحة، أو لا يمكنك الاطلاع عليها.",
        "en": "This page does not exist, or you may not see it.",
    },
    "error_405_title": {"ar": "غير مسموح", "en": "Not allowed"},
    "error_405": {"ar": "هذه الطريقة غير مدعومة هنا.", "en": "This method is not supported here."},
    "error_413_title": {"ar": "الطلب كبير جداً", "en": "Request too large"},
    "error_413": {"ar": "ما أرسلته كبير جداً.", "en": "What you sent is too large."},
    "error_other_title": {"ar": "حدث خطأ", "en": "Something went wrong"},
    "error_other": {"ar": "حاول مرة أخرى بعد قليل.", "en": "Please try again in a moment."},
    # lifecycle and account errors (store.lifecycle.LifecycleError / store.staff.StaffError)
    "error_transition_not_allowed": {
        "ar": "لا يمكن الانتقال إلى هذه الحالة من الحالة الحالية.",
        "en": "The referral cannot move to that status from its current one.",
    },
    "error_note_required": {
        "ar": "اكتب ملاحظة قصيرة توضّح التغيير.", "en": "Write a short note about the change.",
    },
    "error_note_too_long": {
        "ar": "الملاحظة طويلة جداً (1000 حرف كحد أقصى).",
        "en": "The note is too long (1,000 characters at most).",
    },
    "error_referred_to_required": {
        "ar": "اكتب اسم الجهة التي أُحيل إليها الطلب.",
        "en": "Name the service the referral goes to.",
    },
    "error_referred_to_too_long": {
        "ar": "اسم الجهة طويل جداً.", "en": "The service name is too long.",
    },
    "error_changed_meanwhile": {
        "ar": "غيّر شخص آخر هذا الطلب في الأثناء. راجع الحالة الحالية ثم حاول مرة أخرى.",
        "en": "Someone else changed this referral meanwhile. Check its status and try again.",
    },
    "error_not_allowed": {
        "ar": "لا تملك صلاحية هذا الإجراء.", "en": "You may not do this.",
    },
    "error_invalid_username": {
        "ar": "اسم المستخدم: 3 إلى 64 حرفاً لاتينياً صغيراً أو أرقام أو . _ -",
        "en": "Username: 3 to 64 lower-case Latin letters, digits or . _ -",
    },
    "error_username_taken": {
        "ar": "اسم المستخدم مستعمل.", "en": "That username is taken.",
    },
    "error_invalid_role": {"ar": "دور غير معروف.", "en": "Unknown role."},
    "error_invalid_organisation": {
        "ar": "اسم المنظمة: حروف لاتينية وأرقام (حتى 64).",
        "en": "Organisation: Latin letters and digits (up to 64).",
    },
    "error_unknown_governorate": {"ar": "محافظة غير معروفة.", "en": "Unknown governorate."},
    "error_governorates_required": {
        "ar": "اختر محافظة واحدة على الأقل لموظف الحالة.",
        "en": "Choose at least one governorate for a caseworker.",
    },
    "error_invalid_language": {"ar": "لغة غير معروفة.", "en": "Unknown language."},
    "error_password_too_short": {
        "ar": "كلمة المرور قصيرة: 10 أحرف على الأقل.",
        "en": "The password is too short: at least 10 characters.",
    },
    "error_password_too_long": {"ar": "كلمة المرور طويلة جداً.", "en": "The password is too long."},
    "error_cannot_deactivate_self": {
        "ar": "لا يمكنك إيقاف حسابك أنت.", "en": "You cannot deactivate your own account.",
    },
    # --- referral list
    "referrals_title": {"ar": "الطلبات", "en": "Referrals"},
    "export_csv": {"ar": "تصدير CSV", "en": "Export CSV"},
    "counts_label": {"ar": "العدد حسب الحالة", "en": "Counts per status"},
    "all_statuses": {"ar": "الكل", "en": "All"},
    "filters": {"ar": "التصفية", "en": "Filters"},
    "search_code": {"ar": "رقم الطلب", "en": "Reference code"},
    "category": {"ar": "نوع الحاجة", "en": "Category"},
    "governorate": {"ar": "المحافظة", "en": "Governorate"},
    "urgency": {"ar": "الاستعجال", "en": "Urgency"},
    "urgent": {"ar": "عاجل", "en": "Urgent"},
    "not_urgent": {"ar": "غير عاجل", "en": "Not urgent"},
    "assignee": {"ar": "المسؤول", "en": "Assignee"},
    "assigned_to_me": {"ar": "المسندة إليّ", "en": "Assigned to me"},
    "unassigned": {"ar": "غير مسند", "en": "Unassigned"},
    "any": {"ar": "الكل", "en": "Any"},
    "date_from": {"ar": "من تاريخ", "en": "From"},
    "date_to": {"ar": "إلى تاريخ", "en": "To"},
    "sort_by": {"ar": "الترتيب حسب", "en": "Sort by"},
    "sort_created": {"ar": "تاريخ الاستلام", "en": "Received"},
    "sort_updated": {"ar": "آخر تحديث", "en": "Last update"},
    "sort_status": {"ar": "الحالة", "en": "Status"},
    "sort_category": {"ar": "نوع الحاجة", "en": "Category"},
    "sort_governorate": {"ar": "المحافظة", "en": "Governorate"},
    "direction": {"ar": "الاتجاه", "en": "Order"},
    "descending": {"ar": "الأحدث أولاً", "en": "Descending"},
    "ascending": {"ar": "الأقدم أولاً", "en": "Ascending"},
    "apply_filters": {"ar": "تطبيق", "en": "Apply"},
    "clear_filters": {"ar": "مسح التصفية", "en": "Clear filters"},
    "results_count": {"ar": "النتائج: {count}", "en": "{count} results"},
    "urgent_first_note": {
        "ar": "الطلبات العاجلة المفتوحة تظهر أولاً.", "en": "Open urgent referrals come first.",
    },
    "no_referrals": {"ar": "لا توجد طلبات بهذه التصفية.", "en": "No referrals match."},
    "pages": {"ar": "الصفحات", "en": "Pages"},
    "previous": {"ar": "السابق", "en": "Previous"},
    "next": {"ar": "التالي", "en": "Next"},
    "page_of": {"ar": "صفحة {page} من {pages}", "en": "Page {page} of {pages}"},
    # columns (the list, the detail page and the CSV export)
    "col_code": {"ar": "رقم الطلب", "en": "Code"},
    "col_received": {"ar": "تاريخ الاستلام", "en": "Received"},
    "col_status": {"ar": "الحالة", "en": "Status"},
    "col_urgent": {"ar": "عاجل", "en": "Urgent"},
    "col_category": {"ar": "نوع الحاجة", "en": "Category"},
    "col_governorate": {"ar": "المحافظة", "en": "Governorate"},
    "col_contact": {"ar": "طريقة التواصل", "en": "Contact by"},
    "col_phone": {"ar": "رقم الهاتف", "en": "Phone"},
    "col_description": {"ar": "الوصف", "en": "Description"},
    "col_language": {"ar": "لغة المحادثة", "en": "Language"},
    "col_assignee": {"ar": "المسؤول", "en": "Assignee"},
    "col_referred_to": {"ar": "أُحيل إلى", "en": "Referred to"},
    "col_organisation": {"ar": "المنظمة", "en": "Organisation"},
    "col_updated": {"ar": "آخر تحديث", "en": "Updated"},
    "col_created": {"ar": "الوقت", "en": "Created"},
    "col_recipient": {"ar": "إلى", "en": "To"},
    "col_message": {"ar": "الرسالة", "en": "Message"},
    "col_delivery": {"ar": "الإرسال", "en": "Delivery"},
    "col_time": {"ar": "الوقت", "en": "Time"},
    "col_detail": {"ar": "التفاصيل", "en": "Detail"},
    "col_address": {"ar": "عنوان IP", "en": "IP address"},
    "yes": {"ar": "نعم", "en": "yes"},
    "no": {"ar": "لا", "en": "no"},
    "contact_telegram": {"ar": "رسالة بتلگرام", "en": "Telegram message"},
    "contact_phone": {"ar": "اتصال هاتفي", "en": "Phone call"},
    "language_ar": {"ar": "العربية", "en": "Arabic"},
    "language_en": {"ar": "الإنجليزية", "en": "English"},
    # --- referral detail
    "back_to_list": {"ar": "→ العودة إلى القائمة", "en": "← Back to the list"},
    "referral": {"ar": "الطلب", "en": "Referral"},
    "what_they_gave": {"ar": "ما قدّمه صاحب الطلب", "en": "What the returnee gave"},
    "consent_given": {"ar": "وقت الموافقة", "en": "Consent given"},
    "follow_up": {"ar": "المتابعة", "en": "Follow-up"},
    "first_action": {"ar": "أول إجراء", "en": "First action"},
    "change_status": {"ar": "تغيير الحالة", "en": "Change the status"},
    "new_status": {"ar": "الحالة الجديدة", "en": "New status"},
    "referred_to_label": {
        "ar": "الجهة المُحال إليها (عند الإحالة)", "en": "Service referred to (when referring)",
    },
    "note_label": {"ar": "ملاحظة", "en": "Note"},
    "returnee_is_told": {
        "ar": "سيصل إلى صاحب الطلب إشعار بتلگرام بالحالة الجديدة (بدون الملاحظة).",
        "en": "The returnee gets a Telegram message with the new status (not the note).",
    },
    "save_status": {"ar": "حفظ الحالة", "en": "Save status"},
    "final_status": {
        "ar": "هذا الطلب مغلق. إذا احتاج صاحبه إلى مساعدة، يقدّم طلباً جديداً.",
        "en": "This referral is closed. If the person needs help again, they make a new request.",
    },
    "assignment": {"ar": "الإسناد", "en": "Assignment"},
    "assign_to": {"ar": "إسناد إلى", "en": "Assign to"},
    "assign_button": {"ar": "حفظ الإسناد", "en": "Save assignment"},
    "take_case": {"ar": "استلام هذه الحالة", "en": "Take this case"},
    "yours": {"ar": "هذه الحالة مسندة إليك.", "en": "This case is assigned to you."},
    "nobody": {"ar": "لا أحد", "en": "nobody"},
    "add_note": {"ar": "إضافة ملاحظة", "en": "Add a note"},
    "add_note_button": {"ar": "إضافة الملاحظة", "en": "Add note"},
    "history": {"ar": "السجل", "en": "History"},
    "the_returnee": {"ar": "صاحب الطلب", "en": "The returnee"},
    "event_created": {"ar": "قدّم الطلب", "en": "made the request"},
    "event_status": {
        "ar": "غيّر الحالة من «{from_status}» إلى «{to_status}»",
        "en": "changed the status from “{from_status}” to “{to_status}”",
    },
    "event_assigned": {"ar": "أسند الطلب إلى {name}", "en": "assigned it to {name}"},
    "event_note": {"ar": "أضاف ملاحظة", "en": "added a note"},
    "notifications": {"ar": "الإشعارات", "en": "Notifications"},
    "no_notifications": {"ar": "لا توجد إشعارات بعد.", "en": "No notifications yet."},
    "recipient_returnee": {"ar": "صاحب الطلب", "en": "Returnee"},
    "recipient_caseworkers": {"ar": "مجموعة الموظفين", "en": "Caseworkers' group"},
    "urgent_alert": {"ar": "تنبيه بطلب عاجل", "en": "Urgent referral alert"},
    "delivery_pending": {"ar": "بانتظار الإرسال", "en": "Waiting to be sent"},
    "delivery_sending": {"ar": "قيد الإرسال", "en": "Sending"},
    "delivery_sent": {"ar": "أُرسل", "en": "Sent"},
    "delivery_failed": {"ar": "تعذّر الإرسال", "en": "Failed"},
    "delivery_skipped": {"ar": "لم يُرسل (لا توجد مجموعة)", "en": "Not sent (no group set)"},
    "status_changed_flash": {
        "ar": "تم حفظ الحالة: {status}. سيُبلَّغ صاحب الطلب.",
        "en": "Status saved: {status}. The returnee will be told.",
    },
    "assigned_flash": {"ar": "تم الإسناد إلى {name}.", "en": "Assigned to {name}."},
    "note_added_flash": {"ar": "أُضيفت الملاحظة.", "en": "Note added."},
    # --- overview
    "overview_title": {"ar": "نظرة عامة", "en": "Overview"},
    "overview_scope": {
        "ar": "آخر {weeks} أسبوعاً، للطلبات التي يمكنك الاطلاع عليها فقط.",
        "en": "The last {weeks} weeks, counting only the referrals you may see.",
    },
    "tile_total": {"ar": "الطلبات", "en": "Referrals"},
    "tile_waiting": {"ar": "بانتظار أول إجراء", "en": "Waiting for a first action"},
    "tile_median": {
        "ar": "الوسيط من الاستلام إلى أول إجراء", "en": "Median time to first action",
    },
    "tile_failed_notifications": {"ar": "إشعارات تعذّر إرسالها", "en": "Failed notifications"},
    "chart_weekly": {"ar": "الطلبات أسبوعياً حسب نوع الحاجة", "en": "Referrals per week by category"},
    "chart_governorate": {"ar": "حسب المحافظة", "en": "By governorate"},
    "chart_status": {"ar": "حسب الحالة", "en": "By status"},
    "not_given": {"ar": "غير محددة", "en": "Not given"},
    "hours_short": {"ar": "{value} ساعة", "en": "{value} h"},
    "days_short": {"ar": "{value} يوم", "en": "{value} days"},
    # --- audit
    "audit_title": {"ar": "سجل التدقيق", "en": "Audit log"},
    "audit_read_only": {
        "ar": "هذا السجل للقراءة فقط: لا يمكن تعديله أو حذفه.",
        "en": "This log is read-only: nobody can edit or delete it.",
    },
    "audit_action": {"ar": "الإجراء", "en": "Action"},
    "action_login": {"ar": "تسجيل دخول", "en": "Login"},
    "action_login_failed": {"ar": "فشل تسجيل الدخول", "en": "Failed login"},
    "action_login_refused": {"ar": "دخول مرفوض (محاولات كثيرة)", "en": "Login refused (rate limit)"},
    "action_logout": {"ar": "تسجيل خروج", "en": "Logout"},
    "action_referral_viewed": {"ar": "اطلاع على طلب", "en": "Referral viewed"},
    "action_referrals_exported": {"ar": "تصدير", "en": "Export"},
    "action_status_changed": {"ar": "تغيير حالة", "en": "Status change"},
    "action_assigned": {"ar": "إسناد", "en": "Assignment"},
    "action_note_added": {"ar": "ملاحظة", "en": "Note"},
    "action_user_created": {"ar": "إنشاء حساب", "en": "Account created"},
    "action_user_deactivated": {"ar": "إيقاف حساب", "en": "Account deactivated"},
    "action_user_activated": {"ar": "تفعيل حساب", "en": "Account activated"},
    "action_password_set": {"ar": "تعيين كلمة مرور", "en": "Password set"},
    "action_user_data_erased": {"ar": "حذف بيانات مستخدم بطلبه", "en": "User data erased on request"},
    "action_retention_purge": {"ar": "حذف البيانات القديمة حسب مدة الاحتفاظ", "en": "Old data purged (retention)"},
    "action_data_rekeyed": {"ar": "إعادة تشفير البيانات بالمفتاح الجديد", "en": "Data re-encrypted with the new key"},
    "action_review_viewed": {"ar": "اطلاع على رسائل المراجعة", "en": "Review queue viewed"},
    "action_review_labelled": {"ar": "تصنيف رسائل للمراجعة", "en": "Review messages labelled"},
    "action_review_discarded": {"ar": "استبعاد رسائل من المراجعة", "en": "Review messages discarded"},
    "action_review_exported": {"ar": "تصدير الرسائل المصنفة للتدريب", "en": "Labelled messages exported for training"},
    # --- review of missed messages (trainers)
    "review_title": {"ar": "رسائل لم يفهمها المساعد", "en": "Messages the assistant missed"},
    "review_intro": {
        "ar": "رسائل طلب فيها المساعد إعادة الصياغة، أو أجاب عنها بثقة أقل من {threshold}٪. "
              "حُذفت منها الأرقام والأسماء بعد «اسمي» والمعرّفات والبريد والروابط قبل حفظها، "
              "ولا يربطها شيء بمرسلها. الرسائل المتطابقة بعد التطبيع مجمّعة، والأكثر تكراراً أولاً. "
              "اختر النية الصحيحة لكل مجموعة أو استبعدها. تُحذف بعد {days} يوماً.",
        "en": "Messages the assistant asked to rephrase, or answered with less than {threshold}% "
              "confidence. Numbers, names after “my name is”, handles, e-mails and links were "
              "removed before they were stored, and nothing links them to who sent them. Messages "
              "that are the same after normalisation are grouped, the most frequent first. Give "
              "each group the right intent, or discard it. They are deleted after {days} days.",
    },
    "review_personal_data": {
        "ar": "إذا رأيت اسماً أو عنواناً أو أي معلومة شخصية بقيت في رسالة، استبعدها ولا تصنّفها.",
        "en": "If you still see a name, an address or anything else personal in a message, "
              "discard it; do not label it.",
    },
    "review_crisis_note": {
        "ar": "الرسائل التي تتعرّف عليها قواعد الأزمات (الانتحار، إيذاء النفس، العنف) لا تُحفظ هنا "
              "أبداً. إذا وجدت هنا رسالة من هذا النوع، صنّفها crisis_self_harm أو crisis_violence "
              "وأبلغ فريق التطوير لتحسين قواعد الأزمات (nlu/safety.py).",
        "en": "Messages the crisis rules recognise (suicide, self-harm, violence) are never kept "
              "here. If you find such a message here, label it crisis_self_harm or "
              "crisis_violence and tell the developers, who maintain the crisis rules "
              "(nlu/safety.py).",
    },
    "review_export_note": {
        "ar": "«تصدير» يكتب الرسائل المصنّفة في ملف التدريب {file}، دون تكرار مثال موجود ودون أي "
              "جملة من مجموعة الاختبار. بعدها: make validate ثم make train.",
        "en": "“Export” writes labelled messages into the training file {file}, never repeating "
              "an example that is there already and never a sentence of the held-out test set. "
              "Then: make validate and make train.",
    },
    "review_counts_label": {"ar": "الأعداد", "en": "Counts"},
    "review_pending": {"ar": "بانتظار المراجعة: {count}", "en": "Waiting for review: {count}"},
    "review_labelled": {"ar": "مصنّفة وغير مصدّرة: {count}", "en": "Labelled, not exported: {count}"},
    "review_exported": {"ar": "مصدّرة: {count}", "en": "Exported: {count}"},
    "review_skipped": {"ar": "لم تُصدّر: {count}", "en": "Not exported: {count}"},
    "review_groups_count": {"ar": "المجموعات: {count}", "en": "{count} groups"},
    "review_col_message": {"ar": "الرسالة (بعد حذف البيانات الشخصية)", "en": "Message (de-identified)"},
    "review_col_count": {"ar": "العدد", "en": "Count"},
    "review_col_predicted": {"ar": "توقّع المساعد", "en": "Predicted intent"},
    "review_col_confidence": {"ar": "متوسط الثقة", "en": "Mean confidence"},
    "review_col_last": {"ar": "آخر يوم", "en": "Last day"},
    "review_col_action": {"ar": "الإجراء", "en": "Action"},
    "review_normalised": {"ar": "بعد التطبيع", "en": "Normalised"},
    "review_intent": {"ar": "النية الصحيحة", "en": "Right intent"},
    "review_choose": {"ar": "— اختر —", "en": "— choose —"},
    "review_label_button": {"ar": "تصنيف", "en": "Label"},
    "review_discard_button": {"ar": "استبعاد", "en": "Discard"},
    "review_export_button": {"ar": "تصدير ({count})", "en": "Export ({count})"},
    "review_empty": {"ar": "لا توجد رسائل بانتظار المراجعة.", "en": "No messages wait for review."},
    "review_choose_intent": {"ar": "اختر نية من القائمة.", "en": "Choose an intent from the list."},
    "review_labelled_flash": {
        "ar": "صُنّفت {count} رسالة: {intent}.", "en": "{count} message(s) labelled {intent}.",
    },
    "review_discarded_flash": {"ar": "استُبعدت {count} رسالة وحُذفت.", "en": "{count} message(s) discarded and deleted."},
    "review_gone_flash": {
        "ar": "هذه المجموعة لم تعد بانتظار المراجعة (ربما عالجها مدرّب آخر).",
        "en": "This group no longer waits for review (another trainer may have handled it).",
    },
    "review_exported_flash": {
        "ar": "أُضيف {added} مثال إلى {file}. لم تُضف: {present} موجودة أصلاً، {heldout} من مجموعة "
              "الاختبار، {conflicts} مصنّفة بنية أخرى في بيانات التدريب.",
        "en": "{added} example(s) added to {file}. Not added: {present} already there, {heldout} "
              "from the held-out test set, {conflicts} under another intent in the training data.",
    },
    "review_conflict_flash": {
        "ar": "صنّفتها {label} لكنها في بيانات التدريب بنية {intent} ({where}): راجعها.",
        "en": "Labelled {label}, but it is {intent} in the training data ({where}): have a look.",
    },
    "review_export_refused": {
        "ar": "تعذّر التصدير: ملف التدريب غير صالح أو مجموعة الاختبار غير موجودة. راجع فريق التطوير.",
        "en": "Export refused: the training file is broken or the held-out test set is missing. "
              "Ask the developers.",
    },
    # --- accounts
    "users_title": {"ar": "الحسابات", "en": "Accounts"},
    "role": {"ar": "الدور", "en": "Role"},
    "governorates": {"ar": "المحافظات", "en": "Governorates"},
    "all_governorates": {"ar": "كل المحافظات", "en": "All governorates"},
    "last_login": {"ar": "آخر دخول", "en": "Last login"},
    "account_state": {"ar": "الحالة", "en": "State"},
    "active": {"ar": "فعّال", "en": "active"},
    "inactive": {"ar": "موقوف", "en": "inactive"},
    "activate": {"ar": "تفعيل", "en": "Activate"},
    "deactivate": {"ar": "إيقاف", "en": "Deactivate"},
    "new_password": {"ar": "كلمة مرور جديدة", "en": "New password"},
    "set_password": {"ar": "تعيين", "en": "Set"},
    "create_user": {"ar": "حساب جديد", "en": "New account"},
    "create_user_button": {"ar": "إنشاء الحساب", "en": "Create account"},
    "interface_language": {"ar": "لغة الواجهة", "en": "Interface language"},
    "user_created_flash": {"ar": "أُنشئ الحساب {name}.", "en": "Account {name} created."},
    "user_updated_flash": {"ar": "حُدّث الحساب {name}.", "en": "Account {name} updated."},
}


class _Keep(dict):  # type: ignore[type-arg]
    """Leaves an unknown {field} as it is instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(key: str, lang: str, **values: Any) -> str:
    """The text of `key` in `lang` (Arabic for unknown languages); the key itself if unknown."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang if lang in LANGUAGES else "ar") or entry["ar"]
    return text.format_map(_Keep(values)) if values else text


def text_direction(lang: str) -> str:
    return "rtl" if lang == "ar" else "ltr"


def other_language(lang: str) -> str:
    return "en" if lang == "ar" else "ar"


def role_label(role: object, lang: str) -> str:
    return translate(f"role_{getattr(role, 'value', role)}", lang)
