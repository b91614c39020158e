"""Courses by trainers: accreditation requests, editions, sessions, enrolments, the Leergang

The registerbureau's catalogue entries become published courses with a granted
accreditation (they already were both); nothing is lost.

Revision ID: c1a2b3c4d011
Revises: b0f1a2b3c010
Create Date: 2026-11-27 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1a2b3c4d011'
down_revision = 'b0f1a2b3c010'
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade():
    programmes = op.create_table(
        'programmes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('module_count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes')),
        sa.UniqueConstraint('code', name=op.f('uq_programmes_code')),
    )
    op.bulk_insert(
        programmes,
        [{'id': 1, 'code': 'leergang-leerplicht-rmc', 'name': 'Leergang Leerplicht/RMC',
          'module_count': 3}],
    )

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'format', _enum('courseformat', 'klassikaal', 'online', 'webinar', 'zelfstudie'),
            nullable=False, server_default='klassikaal'))
        batch_op.add_column(sa.Column(
            'study_load_hours', sa.Numeric(precision=5, scale=2), nullable=False,
            server_default='0'))
        batch_op.add_column(sa.Column(
            'status', _enum('coursestatus', 'draft', 'published', 'archived'),
            nullable=False, server_default='published'))
        batch_op.add_column(sa.Column(
            'graded', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('module_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_courses_programme_id_programmes'), 'programmes',
            ['programme_id'], ['id'])
        batch_op.create_unique_constraint(
            'uq_courses_programme_module', ['programme_id', 'module_number'])
        batch_op.create_check_constraint(
            batch_op.f('ck_courses_module_number'), '(programme_id IS NULL) = (module_number IS NULL)')
        batch_op.create_index(batch_op.f('ix_courses_status'), ['status'], unique=False)

    # the catalogue entries so far: published, their study load the accredited hours
    op.execute(
        "UPDATE courses SET updated_at = created_at, study_load_hours = COALESCE("
        "(SELECT MAX(a.hours) FROM accreditations a WHERE a.course_id = courses.id), 0)"
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.alter_column('format', server_default=None,
                              existing_type=_enum('courseformat', 'klassikaal', 'online',
                                                  'webinar', 'zelfstudie'))
        batch_op.alter_column('study_load_hours', server_default=None,
                              existing_type=sa.Numeric(precision=5, scale=2))
        batch_op.alter_column('status', server_default=None,
                              existing_type=_enum('coursestatus', 'draft', 'published',
                                                  'archived'))
        batch_op.alter_column('graded', server_default=None, existing_type=sa.Boolean())

    op.create_table(
        'course_target_groups',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('group', _enum('targetgroup', 'leerplicht', 'rmc', 'ondersteuners'),
                  nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                name=op.f('fk_course_target_groups_course_id_courses'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('course_id', 'group', name=op.f('pk_course_target_groups')),
    )
    op.create_table(
        'course_trainers',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                name=op.f('fk_course_trainers_course_id_courses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_course_trainers_user_id_users')),
        sa.PrimaryKeyConstraint('course_id', 'user_id', name=op.f('pk_course_trainers')),
    )
    op.create_index('ix_course_trainers_user', 'course_trainers', ['user_id'], unique=False)

    op.create_table(
        'accreditation_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('hours_requested', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column('programme_text', sa.Text(), nullable=False),
        sa.Column('learning_goals', sa.Text(), nullable=False),
        sa.Column('state', _enum('requeststate', 'requested', 'granted', 'refused'),
                  nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                name=op.f('fk_accreditation_requests_course_id_courses')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_accreditation_requests_decided_by_id_users')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_accreditation_requests_requested_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditation_requests')),
    )
    op.create_index(op.f('ix_accreditation_requests_course_id'), 'accreditation_requests',
                    ['course_id'], unique=False)
    op.create_index('ix_accreditation_requests_state', 'accreditation_requests',
                    ['state', 'requested_at'], unique=False)
    op.create_table(
        'accreditation_request_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=160), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['request_id'], ['accreditation_requests.id'],
            name=op.f('fk_accreditation_request_files_request_id_accreditation_requests'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditation_request_files')),
        sa.UniqueConstraint('stored_name',
                            name=op.f('uq_accreditation_request_files_stored_name')),
    )
    op.create_index(op.f('ix_accreditation_request_files_request_id'),
                    'accreditation_request_files', ['request_id'], unique=False)

    with op.batch_alter_table('accreditations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_accreditations_request_id'),
                                          ['request_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_accreditations_request_id_accreditation_requests'),
            'accreditation_requests', ['request_id'], ['id'])

    op.create_table(
        'editions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('enrolment_deadline', sa.Date(), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('seats_taken', sa.Integer(), nullable=False),
        sa.Column('location', sa.String(length=200), nullable=False),
        sa.Column('self_study', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('capacity > 0', name=op.f('ck_editions_capacity')),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_editions_dates')),
        sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= capacity',
                           name=op.f('ck_editions_seats')),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                name=op.f('fk_editions_course_id_courses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_editions')),
    )
    op.create_index(op.f('ix_editions_course_id'), 'editions', ['course_id'], unique=False)
    op.create_index(op.f('ix_editions_ends_on'), 'editions', ['ends_on'], unique=False)
    op.create_table(
        'course_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('starts_at', sa.Time(), nullable=False),
        sa.Column('ends_at', sa.Time(), nullable=False),
        sa.Column('location', sa.String(length=200), nullable=False),
        sa.Column('attendance_reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('ends_at > starts_at',
                           name=op.f('ck_course_sessions_times')),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'],
                                name=op.f('fk_course_sessions_edition_id_editions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_sessions')),
    )
    op.create_index(op.f('ix_course_sessions_day'), 'course_sessions', ['day'], unique=False)
    op.create_index(op.f('ix_course_sessions_edition_id'), 'course_sessions', ['edition_id'],
                    unique=False)
    op.create_table(
        'enrolments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('state', _enum('enrolmentstate', 'seated', 'waiting', 'cancelled'),
                  nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attended', sa.Boolean(), nullable=True),
        sa.Column('passed', sa.Boolean(), nullable=True),
        sa.Column('grade', _enum('grade', 'voldoende', 'onvoldoende'), nullable=True),
        sa.Column('result_recorded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('result_recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'],
                                name=op.f('fk_enrolments_edition_id_editions')),
        sa.ForeignKeyConstraint(['result_recorded_by_id'], ['users.id'],
                                name=op.f('fk_enrolments_result_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_enrolments_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
        sa.UniqueConstraint('edition_id', 'user_id', name='uq_enrolments_edition_user'),
    )
    op.create_index('ix_enrolments_queue', 'enrolments',
                    ['edition_id', 'state', 'queued_at', 'id'], unique=False)
    op.create_index('ix_enrolments_user', 'enrolments', ['user_id'], unique=False)
    op.create_table(
        'diplomas',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('verification_code', sa.String(length=14), nullable=False),
        sa.Column('holder_name', sa.String(length=200), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_diplomas_programme_id_programmes')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_diplomas_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_diplomas')),
        sa.UniqueConstraint('user_id', 'programme_id', name='uq_diplomas_user_programme'),
        sa.UniqueConstraint('verification_code', name=op.f('uq_diplomas_verification_code')),
    )
    op.create_table(
        'calendar_feeds',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_calendar_feeds_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feeds')),
        sa.UniqueConstraint('token', name=op.f('uq_calendar_feeds_token')),
    )

    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enrolment_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_activities_enrolment_id'),
                                          ['enrolment_id'])
        batch_op.create_foreign_key(batch_op.f('fk_activities_enrolment_id_enrolments'),
                                    'enrolments', ['enrolment_id'], ['id'])


def downgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activities_enrolment_id_enrolments'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_activities_enrolment_id'), type_='unique')
        batch_op.drop_column('enrolment_id')
    op.drop_table('calendar_feeds')
    op.drop_table('diplomas')
    op.drop_index('ix_enrolments_user', table_name='enrolments')
    op.drop_index('ix_enrolments_queue', table_name='enrolments')
    op.drop_table('enrolments')
    op.drop_index(op.f('ix_course_sessions_edition_id'), table_name='course_sessions')
    op.drop_index(op.f('ix_course_sessions_day'), table_name='course_sessions')
    op.drop_table('course_sessions')
    op.drop_index(op.f('ix_editions_ends_on'), table_name='editions')
    op.drop_index(op.f('ix_editions_course_id'), table_name='editions')
    op.drop_table('editions')
    with op.batch_alter_table('accreditations', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_accreditations_request_id_accreditation_requests'),
            type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_accreditations_request_id'), type_='unique')
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_on')
        batch_op.drop_column('request_id')
    op.drop_index(op.f('ix_accreditation_request_files_request_id'),
                  table_name='accreditation_request_files')
    op.drop_table('accreditation_request_files')
    op.drop_index('ix_accreditation_requests_state', table_name='accreditation_requests')
    op.drop_index(op.f('ix_accreditation_requests_course_id'),
                  table_name='accreditation_requests')
    op.drop_table('accreditation_requests')
    op.drop_index('ix_course_trainers_user', table_name='course_trainers')
    op.drop_table('course_trainers')
    op.drop_table('course_target_groups')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_status'))
        batch_op.drop_constraint(batch_op.f('ck_courses_module_number'), type_='check')
        batch_op.drop_constraint('uq_courses_programme_module', type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_courses_programme_id_programmes'),
                                 type_='foreignkey')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('module_number')
        batch_op.drop_column('programme_id')
        batch_op.drop_column('graded')
        batch_op.drop_column('status')
        batch_op.drop_column('study_load_hours')
        batch_op.drop_column('format')
    op.drop_table('programmes')
