//! The `fileSystem` service (`FileSystem` and `File`, LANGUAGE.md section
//! 9): open, read, write and list files under the folders the user allowed
//! (`mpl run --allow-read=DIR --allow-write=DIR`), and `ShareFSWith` to give
//! another process its own connection.
//!
//! * Path resolution is [`resolve`] (reads) and [`resolve_for_write`]: a
//!   relative program path is resolved inside a root, an absolute one is
//!   taken as it is; any `..` component, and a path whose canonical form
//!   (symbolic links followed) is not under the canonical root, are
//!   refused with a reason, never with access. For a write the parent folder must resolve inside a
//!   write root; the file may not exist yet, and if it is a symbolic link
//!   its target must be inside too. Several roots are tried in order, the
//!   first that answers wins (see [`resolve_in`]).
//! * Each connection is a daemon task ([`FsService`]); `ShareFSWith` spawns
//!   another on the end the program sends. `OpenFile` spawns a daemon
//!   [`FileTask`] per open file, serving the `File` end handed to the
//!   program.
//! * No file operation runs on a worker. Every request (resolution
//!   included) becomes a [`Job`] for a small pool of I/O threads shared by
//!   the run's tasks (started by the first request; they end when every
//!   task of the service is gone). A job is bracketed by `io_begin` /
//!   `io_end`, and the I/O thread puts the answer (label, then value) to the
//!   program itself, in order, before `io_end`. The protocol guarantees the
//!   program sends nothing on that channel before the answer, so the task
//!   just parks meanwhile.
//! * Answers: `ListDir` gives the entry names sorted; `ReadChunk(n)` gives up
//!   to n bytes (fewer only at the end of the file, `[]` there; a read error
//!   counts as the end); `GetLength` answers -1 if the length cannot be
//!   read. `GetLength` is answered at once, not on an I/O thread: `fstat`
//!   of an open file reads no data, and a web server asks it per request.
//!   A job that panics answers its failure label with "internal
//!   error" (or `[]` / -1 for a `File`).
//!
//! What this file does not do: protocol checking beyond one label at a time
//! (the checker guarantees the rest; a stray message is an internal error),
//! guarding against a link swapped in between resolution and use, or
//! writing through a `File` (the protocol has no such step).

use super::{Connection, Ctx, ServiceStep, service_labels, unexpected};
use crate::host::RunError;
use crate::ir::Tag;
use crate::runtime::{self, End, Handle, Step};
use crate::value::Value;
use crossbeam::channel as cb;
use parking_lot::Mutex;
use std::io::{ErrorKind, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

type RunHandle = Handle<Value, RunError>;

/// I/O threads per run.
const POOL_THREADS: usize = 2;
/// The largest chunk one `ReadChunk` answers.
const MAX_CHUNK: u64 = 1 << 30;
/// The largest file `ReadFile` reads (a `[Byte]` is indexed by `u32`).
const MAX_FILE: u64 = u32::MAX as u64;
/// The reason for a path that exists under no root.
pub const NOT_FOUND: &str = "no such file or folder";
/// The reason for a path that leaves its root.
pub const OUTSIDE: &str = "outside the allowed folders";
/// The start of the reason for a root that does not resolve.
const ROOT_UNUSABLE: &str = "the allowed folder";
const FS_NAME: &str = "fileSystem";
const FILE_NAME: &str = "file";

/// Starts the service as a daemon task and returns the program's end.
pub fn start(cx: &mut Ctx<'_>, connection: &Connection<'_>) -> Result<End<Value>, RunError> {
    let (program_end, service_end) = runtime::channel();
    let (read, write) = connection.file_roots();
    let shared = Arc::new(FsState {
        labels: Labels::from_tags(connection.tags),
        read,
        write,
        pool: Pool::default(),
    });
    cx.spawn_daemon(Box::new(super::Serve(FsService::new(service_end, shared))));
    Ok(program_end)
}

// ------------------------------------------------------------------ paths

/// The path a program named, or why it is refused: `..` components never
/// reach the file system. An absolute path is kept (joined to a root it
/// stays itself) and must then resolve inside the root like any other.
fn check_shape(path: &str) -> Result<&Path, String> {
    let p = Path::new(path);
    for c in p.components() {
        match c {
            Component::ParentDir => return Err(format!("{OUTSIDE} (`..` is not allowed)")),
            Component::Prefix(_)
            | Component::RootDir
            | Component::CurDir
            | Component::Normal(_) => {}
        }
    }
    Ok(p)
}

/// Why an operation on a path failed, in words for the program.
fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::NotFound => NOT_FOUND.into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::IsADirectory => "is a folder, not a file".into(),
        ErrorKind::NotADirectory => "not a folder".into(),
        ErrorKind::InvalidInput | ErrorKind::InvalidFilename => "not a valid path".into(),
        _ => e.to_string(),
    }
}

fn canonical_root(root: &Path) -> Result<PathBuf, String> {
    root.canonicalize()
        .map_err(|e| format!("{ROOT_UNUSABLE} {} cannot be used: {e}", root.display()))
}

/// `full` if it lies under `root` (both canonical), else the refusal.
fn inside(root: &Path, full: PathBuf) -> Result<PathBuf, String> {
    if full.starts_with(root) {
        Ok(full)
    } else {
        Err(OUTSIDE.into())
    }
}

/// Resolves the program path `path` for reading inside `root`: the
/// canonical path of an existing file or folder under the canonical root,
/// or the reason it is refused ([`NOT_FOUND`] if it does not exist; a
/// reason starting with [`OUTSIDE`] for `..`, absolute paths and links out
/// of the root). The empty path and `.` name the root itself.
pub fn resolve(root: &Path, path: &str) -> Result<PathBuf, String> {
    let rel = check_shape(path)?;
    let root = canonical_root(root)?;
    let full = root.join(rel).canonicalize().map_err(|e| reason(&e))?;
    inside(&root, full)
}

/// Resolves the program path `path` for writing inside `root`: the parent
/// folder must exist and resolve inside the root; the file itself may not
/// exist, but must not be a folder, and if it is a symbolic link its target
/// must exist inside the root.
pub fn resolve_for_write(root: &Path, path: &str) -> Result<PathBuf, String> {
    let rel = check_shape(path)?;
    let Some(name) = rel.file_name() else {
        return Err("not a file name".into());
    };
    let root = canonical_root(root)?;
    let parent = root.join(rel);
    let parent = parent.parent().unwrap_or(&root);
    let parent = parent.canonicalize().map_err(|e| reason(&e))?;
    let target = inside(&root, parent)?.join(name);
    match std::fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_symlink() => match target.canonicalize() {
            Ok(real) if real.is_dir() => Err("is a folder, not a file".into()),
            Ok(real) => inside(&root, real),
            Err(_) => Err(format!("{OUTSIDE} (a link to a missing file)")),
        },
        Ok(m) if m.is_dir() => Err("is a folder, not a file".into()),
        _ => Ok(target),
    }
}

/// How much a refusal says, to pick the one to report among several roots:
/// leaving the root, then any other problem, then a missing file, then a
/// root that cannot be used.
fn weight(refusal: &str) -> u8 {
    if refusal.starts_with(OUTSIDE) {
        3
    } else if refusal == NOT_FOUND {
        1
    } else if refusal.starts_with(ROOT_UNUSABLE) {
        0
    } else {
        2
    }
}

/// Tries `roots` in order with `resolve_one`; the first success wins.
/// Otherwise the weightiest refusal is reported (the first of equals), or
/// `none` when there is no root at all.
pub fn resolve_in(
    roots: &[PathBuf],
    path: &str,
    resolve_one: fn(&Path, &str) -> Result<PathBuf, String>,
    none: &str,
) -> Result<PathBuf, String> {
    let mut refusal: Option<String> = None;
    for root in roots {
        match resolve_one(root, path) {
            Ok(p) => return Ok(p),
            Err(e) => {
                if refusal.as_deref().is_none_or(|r| weight(&e) > weight(r)) {
                    refusal = Some(e);
                }
            }
        }
    }
    Err(refusal.unwrap_or_else(|| none.into()))
}

// ------------------------------------------------------------- I/O pool

/// What a job does on an I/O thread: the messages to answer with.
type Work = Box<dyn FnOnce(&RunHandle) -> Vec<Value> + Send>;

/// One request for the I/O threads; the answer goes to the peer of `end`.
struct Job {
    end: End<Value>,
    handle: RunHandle,
    work: Work,
    /// The answer if `work` panics.
    fallback: Vec<Value>,
}

impl Job {
    /// Does the work, puts the answer in order, then ends the I/O.
    fn run(self) {
        let Job {
            end,
            handle,
            work,
            fallback,
        } = self;
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&handle)));
        for msg in answer.unwrap_or(fallback) {
            handle.put(&end, msg);
        }
        handle.io_end();
    }
}

/// The run's I/O threads, started by the first job; they end when the pool
/// (and with it the sender) is dropped.
#[derive(Default)]
struct Pool {
    jobs: Mutex<Option<cb::Sender<Job>>>,
}

impl Pool {
    /// Hands `job` to an I/O thread (after `io_begin`).
    fn submit(&self, job: Job) -> Result<(), RunError> {
        let mut jobs = self.jobs.lock();
        if jobs.is_none() {
            *jobs = Some(start_pool()?);
        }
        job.handle.io_begin();
        let handle = job.handle.clone();
        match jobs.as_ref().map(|tx| tx.send(job)) {
            Some(Ok(())) => Ok(()),
            _ => {
                handle.io_end();
                *jobs = None;
                Err(RunError::unplaced(FS_NAME, "the file I/O threads are gone"))
            }
        }
    }
}

fn start_pool() -> Result<cb::Sender<Job>, RunError> {
    let (tx, rx) = cb::unbounded::<Job>();
    let mut started = 0;
    for i in 0..POOL_THREADS {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("mpl-fs-{i}"))
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job.run();
                }
            });
        started += usize::from(spawned.is_ok());
    }
    if started == 0 {
        return Err(RunError::unplaced(
            FS_NAME,
            "cannot start the file I/O threads",
        ));
    }
    Ok(tx)
}

// ----------------------------------------------------------------- shared

service_labels! {
    /// The tags of the labels of `FileSystem` and `File`.
    pub struct Labels {
        open_file = "OpenFile",
        opened = "Opened",
        open_failed = "OpenFailed",
        read_file = "ReadFile",
        contents = "Contents",
        read_failed = "ReadFailed",
        write_file = "WriteFile",
        written = "Written",
        write_failed = "WriteFailed",
        list_dir = "ListDir",
        entries = "Entries",
        list_failed = "ListFailed",
        share = "ShareFSWith",
        stop = "StopFileSystem",
        get_length = "GetLength",
        read_chunk = "ReadChunk",
        close_file = "CloseFile",
    }
}

/// What the service's tasks of one run share.
struct FsState {
    labels: Labels,
    read: Vec<PathBuf>,
    write: Vec<PathBuf>,
    pool: Pool,
}

impl FsState {
    fn resolve_read(&self, path: &str) -> Result<PathBuf, String> {
        resolve_in(
            &self.read,
            path,
            resolve,
            "not allowed to read (no --allow-read folder)",
        )
    }

    fn resolve_write(&self, path: &str) -> Result<PathBuf, String> {
        let none = "not allowed to write (run with --allow-write=DIR)";
        resolve_in(&self.write, path, resolve_for_write, none)
    }
}

// ------------------------------------------------------------- requests

/// A `FileSystem` request that takes a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Open,
    Read,
    Write,
    List,
}

/// Answers `[ok, value]` or `[failed, reason]`.
fn answer(ok: Tag, failed: Tag, r: Result<Value, String>) -> Vec<Value> {
    match r {
        Ok(v) => vec![Value::Tag(ok), v],
        Err(e) => vec![Value::Tag(failed), Value::string(&e)],
    }
}

fn open_file(sh: &Arc<FsState>, h: &RunHandle, path: &str) -> Result<Value, String> {
    let full = sh.resolve_read(path)?;
    let file = std::fs::File::open(&full).map_err(|e| reason(&e))?;
    let meta = file.metadata().map_err(|e| reason(&e))?;
    if meta.is_dir() {
        return Err("is a folder, not a file".into());
    }
    let (program_end, task_end) = runtime::channel();
    h.spawn_daemon(Box::new(super::Serve(FileTask {
        end: task_end,
        file: Arc::new(Mutex::new(file)),
        shared: sh.clone(),
        want_size: false,
    })));
    Ok(Value::Chan(program_end))
}

fn read_file(sh: &FsState, path: &str) -> Result<Value, String> {
    let full = sh.resolve_read(path)?;
    let mut file = std::fs::File::open(&full).map_err(|e| reason(&e))?;
    let meta = file.metadata().map_err(|e| reason(&e))?;
    if meta.is_dir() {
        return Err("is a folder, not a file".into());
    }
    if meta.len() > MAX_FILE {
        return Err("too large to read at once (use OpenFile)".into());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes).map_err(|e| reason(&e))?;
    Ok(Value::Bytes(bytes.into(), 0))
}

fn write_file(sh: &FsState, path: &str, data: &Value) -> Result<(), String> {
    let full = sh.resolve_write(path)?;
    let bytes = data
        .as_bytes()
        .ok_or_else(|| "internal error: not a list of bytes".to_string())?;
    std::fs::write(full, bytes).map_err(|e| reason(&e))
}

fn list_dir(sh: &FsState, path: &str) -> Result<Value, String> {
    let full = sh.resolve_read(path)?;
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&full).map_err(|e| reason(&e))? {
        let entry = entry.map_err(|e| reason(&e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(Value::list(
        names.iter().map(|n| Value::string(n)).collect(),
    ))
}

/// The work and the fallback answer of a path request.
fn path_job(sh: &Arc<FsState>, op: Op, path: String, data: Option<Value>) -> (Work, Vec<Value>) {
    let l = sh.labels;
    let sh = sh.clone();
    let (ok, failed) = match op {
        Op::Open => (l.opened, l.open_failed),
        Op::Read => (l.contents, l.read_failed),
        Op::Write => (l.written, l.write_failed),
        Op::List => (l.entries, l.list_failed),
    };
    let fallback = answer(ok, failed, Err("internal error".into()));
    let work: Work = Box::new(move |h: &RunHandle| match op {
        Op::Open => answer(ok, failed, open_file(&sh, h, &path)),
        Op::Read => answer(ok, failed, read_file(&sh, &path)),
        Op::List => answer(ok, failed, list_dir(&sh, &path)),
        Op::Write => match write_file(&sh, &path, &data.unwrap_or(Value::Nil)) {
            Ok(()) => vec![Value::Tag(ok)],
            Err(e) => answer(ok, failed, Err(e)),
        },
    });
    (work, fallback)
}

// ------------------------------------------------------------ fs service

/// What an [`FsService`] expects next from the program.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Want {
    Label,
    /// The path of a request.
    Path(Op),
    /// The bytes of a `WriteFile` to this path.
    Data(String),
    /// The end after `ShareFSWith`.
    Share,
}

/// One connection to the file system (plays `neg<FileSystem>`).
struct FsService {
    end: End<Value>,
    shared: Arc<FsState>,
    want: Want,
}

impl FsService {
    fn new(end: End<Value>, shared: Arc<FsState>) -> FsService {
        FsService {
            end,
            shared,
            want: Want::Label,
        }
    }

    fn submit(
        &self,
        cx: &mut Ctx<'_>,
        op: Op,
        path: String,
        data: Option<Value>,
    ) -> Option<ServiceStep> {
        let (work, fallback) = path_job(&self.shared, op, path, data);
        let job = Job {
            end: self.end.clone(),
            handle: cx.handle(),
            work,
            fallback,
        };
        self.shared.pool.submit(job).err().map(Step::Fail)
    }

    /// Handles one message; `Some` ends the turn with that step.
    fn handle(&mut self, cx: &mut Ctx<'_>, msg: Value) -> Option<ServiceStep> {
        let want = std::mem::replace(&mut self.want, Want::Label);
        match (want, msg) {
            (Want::Label, Value::Tag(t)) => self.label(t),
            (Want::Path(op), v) => match (op, v.as_string()) {
                (Op::Write, Some(path)) => {
                    self.want = Want::Data(path);
                    None
                }
                (_, Some(path)) => self.submit(cx, op, path, None),
                (_, None) => stray(&Want::Path(op), &v),
            },
            (Want::Data(path), v) if v.is_list() => self.submit(cx, Op::Write, path, Some(v)),
            (Want::Share, Value::Chan(end)) => {
                let task = FsService::new(end, self.shared.clone());
                cx.spawn_daemon(Box::new(super::Serve(task)));
                None
            }
            (want, other) => stray(&want, &other),
        }
    }

    fn label(&mut self, t: Tag) -> Option<ServiceStep> {
        let l = self.shared.labels;
        self.want = match t {
            t if t == l.open_file => Want::Path(Op::Open),
            t if t == l.read_file => Want::Path(Op::Read),
            t if t == l.write_file => Want::Path(Op::Write),
            t if t == l.list_dir => Want::Path(Op::List),
            t if t == l.share => Want::Share,
            t if t == l.stop => return Some(Step::Done),
            t => {
                return Some(Step::Fail(unexpected(
                    FS_NAME,
                    &Value::Tag(t),
                    "a FileSystem label",
                )));
            }
        };
        None
    }
}

impl super::Handler for FsService {
    fn end(&self) -> &End<Value> {
        &self.end
    }

    fn name(&self) -> &'static str {
        FS_NAME
    }

    fn handle(&mut self, cx: &mut Ctx<'_>, msg: Value) -> Option<ServiceStep> {
        FsService::handle(self, cx, msg)
    }
}

/// The internal error for a message outside the protocol.
fn stray(want: &Want, msg: &Value) -> Option<ServiceStep> {
    Some(Step::Fail(unexpected(FS_NAME, msg, &format!("{want:?}"))))
}

// ------------------------------------------------------------- file task

/// One open file (plays `neg<File>`).
struct FileTask {
    end: End<Value>,
    file: Arc<Mutex<std::fs::File>>,
    shared: Arc<FsState>,
    /// `ReadChunk` received; the size comes next.
    want_size: bool,
}

/// Up to `n` bytes from the file's position: fewer only at the end.
fn read_chunk(file: &Mutex<std::fs::File>, n: i64) -> Value {
    let n = u64::try_from(n).unwrap_or(0).min(MAX_CHUNK);
    let mut buf = Vec::with_capacity(n.min(1 << 20) as usize);
    let mut file = file.lock();
    // A read error ends the file early: what was read is answered.
    let _ = (&mut *file).take(n).read_to_end(&mut buf);
    Value::Bytes(buf.into(), 0)
}

fn file_length(file: &Mutex<std::fs::File>) -> Value {
    let len = file.lock().metadata().map(|m| m.len());
    Value::Int(len.ok().and_then(|n| i64::try_from(n).ok()).unwrap_or(-1))
}

impl FileTask {
    fn submit(&self, cx: &mut Ctx<'_>, work: Work, fallback: Value) -> Option<ServiceStep> {
        let job = Job {
            end: self.end.clone(),
            handle: cx.handle(),
            work,
            fallback: vec![fallback],
        };
        self.shared.pool.submit(job).err().map(Step::Fail)
    }

    /// Handles one message; `Some` ends the turn with that step.
    fn handle(&mut self, cx: &mut Ctx<'_>, msg: Value) -> Option<ServiceStep> {
        let l = self.shared.labels;
        let file = self.file.clone();
        match (self.want_size, msg) {
            (true, Value::Int(n)) => {
                self.want_size = false;
                let work: Work = Box::new(move |_: &RunHandle| vec![read_chunk(&file, n)]);
                self.submit(cx, work, Value::bytes(&[]))
            }
            (false, Value::Tag(t)) if t == l.get_length => {
                cx.put(&self.end, file_length(&file));
                None
            }
            (false, Value::Tag(t)) if t == l.read_chunk => {
                self.want_size = true;
                None
            }
            (false, Value::Tag(t)) if t == l.close_file => Some(Step::Done),
            (_, other) => Some(Step::Fail(unexpected(FILE_NAME, &other, "a File label"))),
        }
    }
}

impl super::Handler for FileTask {
    fn end(&self) -> &End<Value> {
        &self.end
    }

    fn name(&self) -> &'static str {
        FILE_NAME
    }

    fn handle(&mut self, cx: &mut Ctx<'_>, msg: Value) -> Option<ServiceStep> {
        FileTask::handle(self, cx, msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh folder under the system's temp folder, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            let p = std::env::temp_dir().join(format!("mpl-fs-unit-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).expect("temp dir");
            TempDir(p)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// root/ with a.txt, sub/b.txt; outside/secret.txt beside root.
    fn layout() -> (TempDir, PathBuf, PathBuf) {
        let t = TempDir::new();
        let root = t.0.join("root");
        let outside = t.0.join("outside");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::fs::write(root.join("a.txt"), "a").expect("write");
        std::fs::write(root.join("sub/b.txt"), "b").expect("write");
        std::fs::write(outside.join("secret.txt"), "s").expect("write");
        (t, root, outside)
    }

    fn refused(r: Result<PathBuf, String>) -> bool {
        matches!(r, Err(e) if e.starts_with(OUTSIDE))
    }

    #[test]
    fn resolve_finds_files_and_folders_inside_the_root() {
        let (_t, root, _) = layout();
        let canon = root.canonicalize().expect("canon");
        assert_eq!(resolve(&root, "a.txt"), Ok(canon.join("a.txt")));
        assert_eq!(resolve(&root, "./sub/b.txt"), Ok(canon.join("sub/b.txt")));
        assert_eq!(resolve(&root, "sub/"), Ok(canon.join("sub")));
        assert_eq!(resolve(&root, ""), Ok(canon.clone()));
        assert_eq!(resolve(&root, "."), Ok(canon));
        assert_eq!(resolve(&root, "nope.txt"), Err(NOT_FOUND.to_string()));
    }

    #[test]
    fn an_absolute_path_inside_the_root_is_accepted() {
        let (_t, root, _outside) = layout();
        let canon = root.canonicalize().expect("canonical root");
        let abs = canon.join("sub/b.txt");
        assert_eq!(resolve(&root, &abs.to_string_lossy()), Ok(abs.clone()));
        let dir = canon.join("sub");
        assert_eq!(resolve(&root, &dir.to_string_lossy()), Ok(dir));
        let new = canon.join("new.txt");
        assert_eq!(resolve_for_write(&root, &new.to_string_lossy()), Ok(new));
    }

    #[test]
    fn resolve_refuses_parent_components_and_absolute_paths_outside() {
        let (_t, root, outside) = layout();
        assert!(refused(resolve(&root, "../outside/secret.txt")));
        assert!(refused(resolve(&root, "sub/../a.txt")));
        assert!(refused(resolve(&root, "..")));
        let abs = outside.join("secret.txt");
        assert!(refused(resolve(&root, &abs.to_string_lossy())));
        assert!(refused(resolve(&root, "/etc/passwd")));
        assert!(refused(resolve_for_write(&root, "../x.txt")));
        assert!(refused(resolve_for_write(&root, "/tmp/x.txt")));
    }

    #[cfg(unix)]
    #[test]
    fn resolve_refuses_links_out_of_the_root() {
        let (_t, root, outside) = layout();
        let link = |target: &Path, name: &str| {
            std::os::unix::fs::symlink(target, root.join(name)).expect("symlink")
        };
        link(&outside.join("secret.txt"), "to_secret");
        link(&outside, "to_outside");
        link(&root.join("a.txt"), "to_a");
        link(&outside.join("missing.txt"), "dangling");
        assert!(refused(resolve(&root, "to_secret")));
        assert!(refused(resolve(&root, "to_outside/secret.txt")));
        assert!(refused(resolve(&root, "to_outside")));
        let canon = root.canonicalize().expect("canon");
        assert_eq!(resolve(&root, "to_a"), Ok(canon.join("a.txt")));
        // Writes: through a link to a folder outside, onto a link to a file
        // outside, onto a dangling link (which would create a file outside).
        assert!(refused(resolve_for_write(&root, "to_outside/new.txt")));
        assert!(refused(resolve_for_write(&root, "to_secret")));
        assert!(refused(resolve_for_write(&root, "dangling")));
        assert_eq!(resolve_for_write(&root, "to_a"), Ok(canon.join("a.txt")));
    }

    #[test]
    fn resolve_for_write_allows_new_files_in_existing_folders() {
        let (_t, root, _) = layout();
        let canon = root.canonicalize().expect("canon");
        assert_eq!(
            resolve_for_write(&root, "new.txt"),
            Ok(canon.join("new.txt"))
        );
        assert_eq!(
            resolve_for_write(&root, "sub/new.txt"),
            Ok(canon.join("sub/new.txt"))
        );
        assert_eq!(
            resolve_for_write(&root, "nofolder/new.txt"),
            Err(NOT_FOUND.to_string())
        );
        assert!(resolve_for_write(&root, "sub").is_err());
        assert!(resolve_for_write(&root, "").is_err());
    }

    #[test]
    fn resolve_in_tries_roots_in_order() {
        let (t, root, outside) = layout();
        let roots = vec![outside.clone(), root.clone()];
        let got = resolve_in(&roots, "a.txt", resolve, "none");
        assert_eq!(got, Ok(root.canonicalize().expect("c").join("a.txt")));
        let got = resolve_in(&roots, "secret.txt", resolve, "none");
        assert_eq!(
            got,
            Ok(outside.canonicalize().expect("c").join("secret.txt"))
        );
        assert_eq!(
            resolve_in(&roots, "zzz", resolve, "none"),
            Err(NOT_FOUND.to_string())
        );
        assert!(refused(resolve_in(&roots, "../x", resolve, "none")));
        assert_eq!(
            resolve_in(&[], "a.txt", resolve, "none"),
            Err("none".to_string())
        );
        let missing_root = vec![t.0.join("missing")];
        assert!(resolve_in(&missing_root, "a.txt", resolve, "none").is_err());
    }
}
