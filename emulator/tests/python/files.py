"""The official Python SDK's Files API calls against the emulator: upload, download, metadata,
directories and their listing, deletes, with names that need encoding.

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set; any failed
assertion or API error exits non-zero.
"""
import io

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound

w = WorkspaceClient()
root = "/Volumes/main/default/files/python sdk"
data = bytes((i * 31) % 251 for i in range(200_000))
path = f"{root}/dir #1/data %é.bin"

w.files.create_directory(f"{root}/empty")
w.files.upload(path, io.BytesIO(data), overwrite=True)
w.files.upload(f"{root}/small.txt", io.BytesIO(b"hello"), overwrite=True)

back = w.files.download(path).contents.read()
assert back == data, (len(back), len(data))

meta = w.files.get_metadata(path)
assert meta.content_length == len(data), meta
assert meta.last_modified, meta

w.files.get_directory_metadata(f"{root}/empty")
names = sorted(e.name for e in w.files.list_directory_contents(root, page_size=1))
assert names == ["dir #1", "empty", "small.txt"], names

w.files.delete(path)
try:
    w.files.get_metadata(path)
    raise AssertionError("a deleted file still has metadata")
except NotFound:
    pass
w.files.delete_directory(f"{root}/dir #1")
w.files.delete_directory(f"{root}/empty")
