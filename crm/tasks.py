from django_tasks import task

from crm.importing.jobs import import_job_run
from crm.importing.supporter_preview import SUPPORTER_IMPORT


@task()
def supporter_import_run(job_id: int) -> None:
    """A large supporter import's next step: its dry run, or its import once confirmed."""
    import_job_run(job_id=job_id, kind=SUPPORTER_IMPORT)
