//! The workspace tree: directories, notebooks (stored as their source cells with their
//! language, so that a `SOURCE` export gives back what was imported) and workspace files,
//! contents in files of the emulator's scratch directory, never whole in memory between
//! requests. `/Users` and `/Shared` exist from the start.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::Arc;

use azure_databricks_sdk::models::{DirectoryInfo, Language, ObjectInfo, ObjectType};
use tempfile::TempPath;

use crate::error::ApiError;
use crate::scratch::ScratchDir;
use crate::tree_path::{clean, parent};

/// What an object is.
#[derive(Debug)]
enum Kind {
    Directory,
    /// The source cells, without the `Databricks notebook source` header.
    Notebook {
        language: Language,
        source: Content,
    },
    File(Content),
}

/// Bytes on disk.
#[derive(Debug)]
struct Content {
    path: TempPath,
    len: u64,
}

#[derive(Debug)]
struct Object {
    id: i64,
    kind: Kind,
    created: i64,
    modified: i64,
}

/// The workspace tree.
#[derive(Debug)]
pub(crate) struct WorkspaceTree {
    scratch: Arc<ScratchDir>,
    /// Every object but the root, by clean absolute path.
    objects: BTreeMap<String, Object>,
    next_id: i64,
}

/// What an import makes.
#[derive(Debug)]
pub(crate) enum Imported<'a> {
    /// A notebook: its language and source (without the header line).
    Notebook {
        language: Language,
        source: &'a [u8],
    },
    File(&'a [u8]),
}

fn does_not_exist(path: &str) -> ApiError {
    ApiError::not_found(format!("Path ({path}) doesn't exist."))
}

fn io(e: std::io::Error) -> ApiError {
    ApiError::internal(format!("The stored object cannot be used: {e}"))
}

/// The comment that starts a `SOURCE` export of a notebook in `language`.
pub(crate) fn header(language: &Language) -> &'static str {
    match language {
        Language::Sql => "-- Databricks notebook source",
        Language::Scala => "// Databricks notebook source",
        _ => "# Databricks notebook source",
    }
}

impl WorkspaceTree {
    pub(crate) fn new(scratch: Arc<ScratchDir>) -> Self {
        let mut tree = Self {
            scratch,
            objects: BTreeMap::new(),
            next_id: 0,
        };
        for dir in ["/Users", "/Shared"] {
            tree.insert(dir.to_string(), Kind::Directory, 0);
        }
        tree
    }

    fn insert(&mut self, path: String, kind: Kind, now: i64) {
        let created = self.objects.get(&path).map_or(now, |o| o.created);
        let id = match self.objects.get(&path) {
            Some(o) => o.id,
            None => {
                self.next_id += 1;
                1_000_000 + self.next_id
            }
        };
        self.objects.insert(
            path,
            Object {
                id,
                kind,
                created,
                modified: now,
            },
        );
    }

    fn is_dir(&self, path: &str) -> bool {
        path == "/"
            || matches!(
                self.objects.get(path).map(|o| &o.kind),
                Some(Kind::Directory)
            )
    }

    fn info(&self, path: &str) -> Option<ObjectInfo> {
        let (object_type, language, size, id, created, modified) = match self.objects.get(path) {
            None if path == "/" => (ObjectType::Directory, None, None, 0, 0, 0),
            None => return None,
            Some(o) => {
                let (t, l, s) = match &o.kind {
                    Kind::Directory => (ObjectType::Directory, None, None),
                    Kind::Notebook { language, .. } => {
                        (ObjectType::Notebook, Some(language.clone()), None)
                    }
                    Kind::File(c) => (ObjectType::File, None, Some(c.len as i64)),
                };
                (t, l, s, o.id, o.created, o.modified)
            }
        };
        let directory_info = (object_type == ObjectType::Directory).then(|| DirectoryInfo {
            is_git_folder: Some(false),
            unknown_fields: Default::default(),
        });
        Some(ObjectInfo {
            object_type: Some(object_type),
            path: Some(path.to_string()),
            language,
            object_id: Some(id),
            size,
            created_at: Some(created),
            modified_at: Some(modified),
            resource_id: Some(id.to_string()),
            directory_info,
            unknown_fields: Default::default(),
        })
    }

    /// `get-status`.
    pub(crate) fn status(&self, path: &str) -> Result<ObjectInfo, ApiError> {
        let path = clean(path)?;
        self.info(&path).ok_or_else(|| does_not_exist(&path))
    }

    /// `list`: the objects directly in a directory (a notebook or file: itself).
    pub(crate) fn list(&self, path: &str) -> Result<Vec<ObjectInfo>, ApiError> {
        let path = clean(path)?;
        if !self.is_dir(&path) {
            return Ok(vec![self.info(&path).ok_or_else(|| does_not_exist(&path))?]);
        }
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        Ok(self
            .objects
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/'))
            .filter_map(|(p, _)| self.info(p))
            .collect())
    }

    /// `mkdirs`.
    pub(crate) fn mkdirs(&mut self, path: &str, now: i64) -> Result<(), ApiError> {
        let path = clean(path)?;
        let mut missing = Vec::new();
        let mut at = path.as_str();
        while at != "/" {
            match self.objects.get(at).map(|o| &o.kind) {
                Some(Kind::Directory) => break,
                Some(_) => {
                    return Err(ApiError::already_exists(format!(
                        "Path ({at}) already exists and is not a directory."
                    )));
                }
                None => missing.push(at.to_string()),
            }
            at = parent(at);
        }
        for dir in missing {
            self.insert(dir, Kind::Directory, now);
        }
        Ok(())
    }

    /// `delete`.
    pub(crate) fn delete(&mut self, path: &str, recursive: bool) -> Result<(), ApiError> {
        let path = clean(path)?;
        if path == "/" || !self.objects.contains_key(&path) {
            return Err(does_not_exist(&path));
        }
        let prefix = format!("{path}/");
        let inside: Vec<String> = self
            .objects
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, _)| p.clone())
            .collect();
        if !inside.is_empty() && !recursive {
            return Err(ApiError::new(
                400,
                "DIRECTORY_NOT_EMPTY",
                format!("Folder ({path}) is not empty."),
            ));
        }
        for p in inside {
            self.objects.remove(&p);
        }
        self.objects.remove(&path);
        Ok(())
    }

    /// Stores an import at `path`; its parent directory must exist.
    pub(crate) fn import(
        &mut self,
        path: &str,
        what: Imported<'_>,
        overwrite: bool,
        now: i64,
    ) -> Result<(), ApiError> {
        let path = clean(path)?;
        if path == "/" || self.is_dir(&path) {
            return Err(ApiError::already_exists(format!(
                "Path ({path}) is a directory."
            )));
        }
        if self.objects.contains_key(&path) && !overwrite {
            return Err(ApiError::already_exists(format!(
                "Path ({path}) already exists."
            )));
        }
        if !self.is_dir(parent(&path)) {
            return Err(does_not_exist(parent(&path)));
        }
        let store = |bytes: &[u8]| -> Result<Content, ApiError> {
            let mut file = self.scratch.file("workspace-").map_err(io)?;
            file.write_all(bytes).map_err(io)?;
            Ok(Content {
                path: file.into_temp_path(),
                len: bytes.len() as u64,
            })
        };
        let kind = match what {
            Imported::Notebook { language, source } => Kind::Notebook {
                language,
                source: store(source)?,
            },
            Imported::File(bytes) => Kind::File(store(bytes)?),
        };
        self.insert(path, kind, now);
        Ok(())
    }

    /// A notebook's language and source cells, or a file's bytes (`None` language), for an
    /// export; a directory is refused.
    pub(crate) fn content(&self, path: &str) -> Result<(Option<Language>, Vec<u8>, u64), ApiError> {
        let path = clean(path)?;
        let object = self
            .objects
            .get(&path)
            .ok_or_else(|| does_not_exist(&path))?;
        let (language, content) = match &object.kind {
            Kind::Directory => {
                return Err(ApiError::invalid_parameter(format!(
                    "Path ({path}) is a directory: the emulator exports notebooks and files only."
                )));
            }
            Kind::Notebook { language, source } => (Some(language.clone()), source),
            Kind::File(content) => (None, content),
        };
        let mut bytes = Vec::new();
        std::fs::File::open(&content.path)
            .and_then(|f| f.take(content.len).read_to_end(&mut bytes))
            .map_err(io)?;
        Ok((language, bytes, content.len))
    }

    /// The language and source of the notebook at `path` (its cells, without the
    /// `Databricks notebook source` header), for the jobs service; `None` when there is no
    /// notebook there.
    pub(crate) fn notebook_source(&self, path: &str) -> Option<(Language, String)> {
        let path = clean(path).ok()?;
        match &self.objects.get(&path)?.kind {
            Kind::Notebook { language, source } => {
                let text = std::fs::read_to_string(&source.path).ok()?;
                Some((language.clone(), text))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebooks_keep_their_language_and_source() {
        let mut t = WorkspaceTree::new(Arc::new(ScratchDir::new()));
        t.mkdirs("/Users/a@b.c/etl", 1).unwrap();
        t.import(
            "/Users/a@b.c/etl/nb",
            Imported::Notebook {
                language: Language::Sql,
                source: b"SELECT 1",
            },
            false,
            2,
        )
        .unwrap();
        assert_eq!(
            t.notebook_source("/Users/a@b.c/etl/nb"),
            Some((Language::Sql, "SELECT 1".to_string()))
        );
        assert_eq!(t.notebook_source("/Users/a@b.c/etl"), None);
        let err = t
            .import("/nope/x", Imported::File(b""), false, 2)
            .unwrap_err();
        assert_eq!(err.status, 404);
        assert_eq!(
            t.delete("/Users", false).unwrap_err().code(),
            "DIRECTORY_NOT_EMPTY"
        );
        t.delete("/Users", true).unwrap();
        assert_eq!(t.notebook_source("/Users/a@b.c/etl/nb"), None);
    }
}
