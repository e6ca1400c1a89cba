"""The official Python SDK's library calls against the emulator (its clock runs fast enough
for the SDK's own polling).

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set (an admin).
"""
import datetime
import time

from databricks.sdk import WorkspaceClient
from databricks.sdk.service import compute

w = WorkspaceClient()
cluster = w.clusters.create_and_wait(cluster_name="libs", spark_version="15.4.x-scala2.12",
                                     node_type_id="Standard_DS3_v2", num_workers=1,
                                     timeout=datetime.timedelta(minutes=5))
libs = [compute.Library(pypi=compute.PythonPyPiLibrary(package="simplejson==3.8.0")),
        compute.Library(maven=compute.MavenLibrary(coordinates="org.jsoup:jsoup:1.7.2", exclusions=["slf4j:slf4j"]))]
w.libraries.install(cluster_id=cluster.cluster_id, libraries=libs)
deadline = time.time() + 60
while True:
    statuses = [s.status for s in w.libraries.cluster_status(cluster.cluster_id)]
    if statuses == [compute.LibraryInstallStatus.INSTALLED] * 2:
        break
    assert time.time() < deadline, statuses
    time.sleep(0.2)
all_statuses = w.libraries.all_cluster_statuses()
assert [s.cluster_id for s in all_statuses] == [cluster.cluster_id], all_statuses
w.libraries.uninstall(cluster_id=cluster.cluster_id, libraries=libs[:1])
statuses = [s.status for s in w.libraries.cluster_status(cluster.cluster_id)]
assert statuses[0] == compute.LibraryInstallStatus.UNINSTALL_ON_RESTART, statuses
w.clusters.permanent_delete(cluster.cluster_id)
print("ok")
