"""The official Python SDK's DBFS and Workspace calls against the emulator: DBFS put, read,
upload and download in blocks, list, get_status, mkdirs, move, delete; workspace import_,
export, upload, download, list, mkdirs, get_status, delete.

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set; any failed
assertion or API error exits non-zero.
"""
import base64
import io

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound
from databricks.sdk.service.workspace import ExportFormat, ImportFormat, Language, ObjectType

w = WorkspaceClient()

# DBFS
w.dbfs.mkdirs("/tmp/python/dir")
w.dbfs.put("/tmp/python/small.txt", contents=base64.b64encode(b"hello").decode(), overwrite=True)
read = w.dbfs.read("/tmp/python/small.txt", offset=1, length=3)
assert read.bytes_read == 3 and base64.b64decode(read.data) == b"ell", read

data = bytes((i * 31) % 251 for i in range(3 * 1024 * 1024 + 17))
w.dbfs.upload("/tmp/python/big.bin", io.BytesIO(data), overwrite=True)
back = w.dbfs.download("/tmp/python/big.bin").read()
assert back == data, (len(back), len(data))

status = w.dbfs.get_status("/tmp/python/big.bin")
assert status.file_size == len(data) and not status.is_dir, status
names = sorted(f.path for f in w.dbfs.list("/tmp/python"))
assert names == ["/tmp/python/big.bin", "/tmp/python/dir", "/tmp/python/small.txt"], names

w.dbfs.move("/tmp/python/small.txt", "/tmp/python/dir/moved.txt")
assert w.dbfs.get_status("/tmp/python/dir/moved.txt").file_size == 5
w.dbfs.delete("/tmp/python", recursive=True)
try:
    w.dbfs.get_status("/tmp/python/big.bin")
    raise AssertionError("a deleted file still has a status")
except NotFound:
    pass

# Workspace
home = "/Users/python-sdk"
w.workspace.mkdirs(home)
notebook = f"{home}/notebook.py"
w.workspace.upload(notebook, io.BytesIO(b"print(1)"))
with w.workspace.download(notebook) as f:
    content = f.read()
assert content == b"# Databricks notebook source\nprint(1)", content

w.workspace.import_(
    f"{home}/query",
    content=base64.b64encode(b"SELECT 1").decode(),
    format=ImportFormat.SOURCE,
    language=Language.SQL,
    overwrite=True,
)
exported = w.workspace.export(f"{home}/query", format=ExportFormat.SOURCE)
assert base64.b64decode(exported.content) == b"-- Databricks notebook source\nSELECT 1", exported

w.workspace.upload(f"{home}/data.csv", io.BytesIO(b"a,b\n1,2\n"), format=ImportFormat.AUTO)
status = w.workspace.get_status(f"{home}/data.csv")
assert status.object_type == ObjectType.FILE, status
with w.workspace.download(f"{home}/data.csv", format=ExportFormat.RAW) as f:
    assert f.read() == b"a,b\n1,2\n"

info = w.workspace.get_status(notebook)
assert info.object_type == ObjectType.NOTEBOOK and info.language == Language.PYTHON, info
paths = sorted(o.path for o in w.workspace.list(home))
assert paths == [f"{home}/data.csv", notebook, f"{home}/query"], paths

w.workspace.delete(home, recursive=True)
try:
    w.workspace.get_status(notebook)
    raise AssertionError("a deleted notebook still has a status")
except NotFound:
    pass
