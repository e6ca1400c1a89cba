"""The official Python SDK's jobs calls against the emulator: create, list with pages, run_now
with its waiter, runs list, get_run_output, submit, cancel, delete.

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set; any failed
assertion or API error exits non-zero. A notebook imported with w.workspace.import_ decides its
task's outcome (dbutils.notebook.exit gives the result); a missing notebook fails its run.
"""
import base64
import datetime

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import OperationFailed
from databricks.sdk.service import compute, jobs

w = WorkspaceClient()
ten_minutes = datetime.timedelta(minutes=10)

script = jobs.Task(task_key="py", spark_python_task=jobs.SparkPythonTask(python_file="/Workspace/etl.py"))
created = w.jobs.create(name="python-sdk", max_concurrent_runs=1, tasks=[script])
fillers = [w.jobs.create(name=f"filler {i}", tasks=[script]).job_id for i in range(4)]

# list follows next_page_token: five jobs in pages of two.
listed = [j.job_id for j in w.jobs.list(limit=2)]
assert listed == sorted(listed, reverse=True), listed
assert set([created.job_id] + fillers) <= set(listed), listed
assert [j.settings.name for j in w.jobs.list(name="PYTHON-SDK")] == ["python-sdk"]

# run_now with the SDK's waiter.
run = w.jobs.run_now_and_wait(job_id=created.job_id, timeout=ten_minutes)
assert run.state.life_cycle_state == jobs.RunLifeCycleState.TERMINATED, run.state
assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state
assert run.status.state == jobs.RunLifecycleStateV2State.TERMINATED, run.status
assert run.status.termination_details.code == jobs.TerminationCodeCode.SUCCESS
output = w.jobs.get_run_output(run_id=run.tasks[0].run_id)
assert output.metadata.run_id == run.tasks[0].run_id, output.metadata

# runs list, paged.
w.jobs.run_now(job_id=fillers[0]).result(timeout=ten_minutes)
runs = list(w.jobs.list_runs(limit=1))
assert len(runs) == 2, runs
assert [r.run_id for r in w.jobs.list_runs(job_id=created.job_id)] == [run.run_id]

# A notebook imported through the Workspace API: its exit value is the task's result.
from databricks.sdk.service import workspace as ws_api
w.workspace.mkdirs("/Shared")
w.workspace.import_(
    path="/Shared/hello", format=ws_api.ImportFormat.SOURCE, language=ws_api.Language.PYTHON,
    content=base64.b64encode(b'dbutils.notebook.exit("hello from python")').decode(),
)
hello = jobs.SubmitTask(task_key="hello", notebook_task=jobs.NotebookTask(notebook_path="/Shared/hello"))
done = w.jobs.submit(run_name="hello", tasks=[hello]).result(timeout=ten_minutes)
assert done.state.result_state == jobs.RunResultState.SUCCESS, done.state
said = w.jobs.get_run_output(run_id=done.tasks[0].run_id)
assert said.notebook_output.result == "hello from python", said.notebook_output

# A notebook task whose notebook is missing: the SDK's waiter raises on INTERNAL_ERROR.
missing = jobs.SubmitTask(task_key="nb", notebook_task=jobs.NotebookTask(notebook_path="/Shared/missing"))
try:
    w.jobs.submit(run_name="adhoc", tasks=[missing]).result(timeout=ten_minutes)
    raise AssertionError("a missing notebook must fail the run")
except OperationFailed as e:
    assert "Notebook not found: /Shared/missing" in str(e), str(e)
failed = [r for r in w.jobs.list_runs(run_type=jobs.RunType.SUBMIT_RUN, expand_tasks=True)][0]
assert "Notebook not found" in w.jobs.get_run_output(run_id=failed.tasks[0].run_id).error

# Cancel a run while its job cluster starts.
spark = w.clusters.select_spark_version(long_term_support=True)
node = w.clusters.select_node_type(local_disk=True)
on_cluster = jobs.SubmitTask(
    task_key="c", spark_python_task=jobs.SparkPythonTask(python_file="/Workspace/etl.py"),
    new_cluster=compute.ClusterSpec(spark_version=spark, node_type_id=node, num_workers=1),
)
submitted = w.jobs.submit(run_name="to-cancel", tasks=[on_cluster])
cancelled = w.jobs.cancel_run(run_id=submitted.run_id).result(timeout=ten_minutes)
assert cancelled.state.result_state == jobs.RunResultState.CANCELED, cancelled.state

# Delete.
for job_id in [created.job_id] + fillers:
    w.jobs.delete(job_id=job_id)
assert list(w.jobs.list()) == []
print("ok")
