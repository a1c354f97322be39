//! The `fileSystem` service (`FileSystem` and `File`, LANGUAGE.md section
//! 9): open, read, write and list files under the folders the user allowed
//! (`mpl run --allow-read=DIR --allow-write=DIR`), and `ShareFSWith` to give
//! another process its own connection.
//!
//! * Paths are opened, never resolved then opened: each allowed folder is
//!   a [`Root`], a directory handle, and a program path is opened relative
//!   to it by cap-std, which refuses any path that leads outside (`..`, a
//!   link out of the root, an absolute path elsewhere) at the moment of the
//!   open, so a link swapped in meanwhile cannot win a race. An absolute
//!   path under the root's canonical form is taken relative to it. A write
//!   creates the file in an existing folder; a link to a file inside the
//!   root is written through. Several roots are tried in order, the first
//!   that succeeds wins (see [`in_roots`]).
//! * Each connection is a daemon task ([`FsService`]); `ShareFSWith` spawns
//!   another on the end the program sends. `OpenFile` spawns a daemon
//!   [`FileTask`] per open file, serving the `File` end handed to the
//!   program.
//! * No file operation that may wait runs on a worker. Every request
//!   (resolution included) becomes a [`Job`] for a small pool of I/O
//!   threads shared by the run's tasks (started by the first request;
//!   they end when every task of the service is gone). Two are first
//!   tried in place, asking the kernel to refuse rather than wait
//!   (`fs/nowait.rs`): `OpenFile` of a path in the kernel's lookup
//!   cache, beneath the first allowed folder, and a `ReadChunk` the page
//!   cache holds (`ReadFile` is both); what is refused goes to the pool
//!   as before. A job is bracketed by `io_begin` / `io_end`, and the I/O
//!   thread puts the answer (label, then value) to the program itself,
//!   in order, before `io_end`. The protocol guarantees the program
//!   sends nothing on that channel before the answer, so the task just
//!   parks meanwhile.
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
//! or writing through a `File` (the protocol has no such step).

mod nowait;

use super::{Connection, Ctx, ServiceStep, service_labels, unexpected};
use crate::host::RunError;
use crate::ir::Tag;
use crate::runtime::{self, End, Handle, Step};
use crate::value::Value;
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use crossbeam::channel as cb;
use parking_lot::Mutex;
use std::io::{ErrorKind, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};

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
        read: Roots::new(read, "not allowed to read (no --allow-read folder)"),
        write: Roots::new(write, "not allowed to write (run with --allow-write=DIR)"),
        pool: Pool::default(),
    });
    cx.spawn_daemon(Box::new(super::Serve(FsService::new(service_end, shared))));
    Ok(program_end)
}

// ------------------------------------------------------------------ paths

/// The path a program named, or why it is refused: `..` components never
/// reach the file system.
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

/// Why an operation on a path failed, in words for the program. An
/// attempt to leave the root (through a link, say) is [`OUTSIDE`]: cap-std
/// reports it as "permission denied" with its own text, the kernel's
/// `RESOLVE_BENEATH` as a cross-device link.
fn reason(e: &std::io::Error) -> String {
    const EXDEV: i32 = 18;
    let escape = e.raw_os_error() == Some(EXDEV)
        || (e.kind() == ErrorKind::PermissionDenied && e.to_string().contains("outside"));
    if escape {
        return OUTSIDE.into();
    }
    match e.kind() {
        ErrorKind::NotFound => NOT_FOUND.into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::IsADirectory => "is a folder, not a file".into(),
        ErrorKind::NotADirectory => "not a folder".into(),
        ErrorKind::InvalidInput | ErrorKind::InvalidFilename => "not a valid path".into(),
        _ => e.to_string(),
    }
}

/// A folder the user allowed, opened once as a directory handle: every
/// program path is opened relative to that handle by cap-std (`openat2`
/// with `RESOLVE_BENEATH` on Linux), so no link, however it is swapped in
/// or out, leads outside; nothing is resolved first and opened after.
pub struct Root {
    /// The handle, with the folder's canonical path (an absolute program
    /// path under it is taken relative to it); or why the folder cannot
    /// be used.
    open: Result<(Dir, PathBuf), String>,
}

impl Root {
    pub fn open(path: &Path) -> Root {
        let unusable =
            |e: std::io::Error| format!("{ROOT_UNUSABLE} {} cannot be used: {e}", path.display());
        let open = path.canonicalize().map_err(unusable).and_then(|canonical| {
            let dir = Dir::open_ambient_dir(&canonical, ambient_authority()).map_err(unusable)?;
            Ok((dir, canonical))
        });
        Root { open }
    }

    /// The handle and the program path relative to it: `..` is refused,
    /// an absolute path must lie under the root, and the empty path and
    /// `.` name the root itself.
    fn relative<'p>(&self, path: &'p str) -> Result<(&Dir, &'p Path), String> {
        let (dir, canonical) = self.open.as_ref().map_err(Clone::clone)?;
        let mut rel = check_shape(path)?;
        if rel.is_absolute() {
            rel = rel
                .strip_prefix(canonical)
                .map_err(|_| OUTSIDE.to_string())?;
        }
        if rel.as_os_str().is_empty() {
            rel = Path::new(".");
        }
        Ok((dir, rel))
    }

    /// Opens an existing file for reading (not a folder).
    pub fn open_file(&self, path: &str) -> Result<std::fs::File, String> {
        let (dir, rel) = self.relative(path)?;
        let file = dir.open(rel).map_err(|e| reason(&e))?.into_std();
        match file.metadata() {
            Ok(m) if m.is_dir() => Err("is a folder, not a file".into()),
            Ok(_) => Ok(file),
            Err(e) => Err(reason(&e)),
        }
    }

    /// The names in a folder, sorted.
    pub fn list(&self, path: &str) -> Result<Vec<String>, String> {
        let (dir, rel) = self.relative(path)?;
        let mut names = Vec::new();
        for entry in dir.read_dir(rel).map_err(|e| reason(&e))? {
            let entry = entry.map_err(|e| reason(&e))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    /// Creates or truncates a file for writing; its folder must exist.
    pub fn create(&self, path: &str) -> Result<std::fs::File, String> {
        let (dir, rel) = self.relative(path)?;
        if rel.file_name().is_none() {
            return Err("not a file name".into());
        }
        Ok(dir.create(rel).map_err(|e| reason(&e))?.into_std())
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

/// Tries `op` in each of `roots` in order; the first success wins.
/// Otherwise the weightiest refusal is reported (the first of equals), or
/// `none` when there is no root at all.
pub fn in_roots<T>(
    roots: &[Root],
    path: &str,
    op: impl Fn(&Root, &str) -> Result<T, String>,
    none: &str,
) -> Result<T, String> {
    let mut refusal: Option<String> = None;
    for root in roots {
        match op(root, path) {
            Ok(found) => return Ok(found),
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
    read: Roots,
    write: Roots,
    pool: Pool,
}

/// The folders the user allowed for one use, opened by the first request
/// that needs them (on an I/O thread, like every file operation).
struct Roots {
    paths: Vec<PathBuf>,
    opened: OnceLock<Vec<Root>>,
    /// The refusal when no folder is allowed for this use.
    none: &'static str,
}

impl Roots {
    fn new(paths: Vec<PathBuf>, none: &'static str) -> Roots {
        Roots {
            paths,
            opened: OnceLock::new(),
            none,
        }
    }

    /// `op` on `path` in each folder in turn (see [`in_roots`]).
    fn first<T>(
        &self,
        path: &str,
        op: impl Fn(&Root, &str) -> Result<T, String>,
    ) -> Result<T, String> {
        let roots = self
            .opened
            .get_or_init(|| self.paths.iter().map(|p| Root::open(p)).collect());
        in_roots(roots, path, op, self.none)
    }

    /// `path` opened for reading in the first folder if the kernel can do
    /// it at once (see `fs/nowait.rs`); `None` when it cannot, when the
    /// folders are not open yet, or on any refusal (the pool then answers).
    /// The first folder that succeeds wins in [`Roots::first`] too.
    fn open_cached(&self, path: &str) -> Option<std::fs::File> {
        let root = self.opened.get()?.first()?;
        let (dir, rel) = root.relative(path).ok()?;
        nowait::open_cached(dir, rel)
    }

    /// The whole of the file at `path`, if it can be opened and read to
    /// its end at once (at most `nowait::MAX_IN_PLACE` bytes); `None`
    /// otherwise, and the pool reads it from the start.
    fn read_cached(&self, path: &str) -> Option<Vec<u8>> {
        let file = self.open_cached(path)?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        if len >= nowait::MAX_IN_PLACE {
            return None;
        }
        // One byte more than the length: reading less means the end.
        match nowait::read_cached(&file, len.checked_add(1)?) {
            nowait::Cached::All(bytes) if bytes.len() <= len => Some(bytes),
            _ => None,
        }
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
    let file = sh.read.first(path, Root::open_file)?;
    let (task, program_end) = file_task(sh, file);
    h.spawn_daemon(task);
    Ok(Value::Chan(program_end))
}

/// The task serving an open file, and the program's end of it.
fn file_task(sh: &Arc<FsState>, file: std::fs::File) -> (Box<super::Serve<FileTask>>, End<Value>) {
    let (program_end, task_end) = runtime::channel();
    let task = Box::new(super::Serve(FileTask {
        end: task_end,
        file: Arc::new(Mutex::new(file)),
        shared: sh.clone(),
        want_size: false,
    }));
    (task, program_end)
}

fn read_file(sh: &FsState, path: &str) -> Result<Value, String> {
    let mut file = sh.read.first(path, Root::open_file)?;
    let len = file.metadata().map_err(|e| reason(&e))?.len();
    if len > MAX_FILE {
        return Err("too large to read at once (use OpenFile)".into());
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.read_to_end(&mut bytes).map_err(|e| reason(&e))?;
    Ok(Value::Bytes(bytes.into(), 0))
}

fn write_file(sh: &FsState, path: &str, data: &Value) -> Result<(), String> {
    let bytes = data
        .as_bytes()
        .ok_or_else(|| "internal error: not a list of bytes".to_string())?;
    let mut file = sh.write.first(path, Root::create)?;
    file.write_all(&bytes).map_err(|e| reason(&e))
}

fn list_dir(sh: &FsState, path: &str) -> Result<Value, String> {
    let names = sh.read.first(path, Root::list)?;
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

    /// Answers an `OpenFile` opened in place.
    fn opened(&self, cx: &mut Ctx<'_>, file: std::fs::File) -> Option<ServiceStep> {
        let (task, program_end) = file_task(&self.shared, file);
        cx.spawn_daemon(task);
        cx.put(&self.end, Value::Tag(self.shared.labels.opened));
        cx.put(&self.end, Value::Chan(program_end));
        None
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
                (Op::Open, Some(path)) => match self.shared.read.open_cached(&path) {
                    Some(file) => self.opened(cx, file),
                    None => self.submit(cx, Op::Open, path, None),
                },
                (Op::Read, Some(path)) => match self.shared.read.read_cached(&path) {
                    Some(bytes) => {
                        cx.put(&self.end, Value::Tag(self.shared.labels.contents));
                        cx.put(&self.end, Value::Bytes(bytes.into(), 0));
                        None
                    }
                    None => self.submit(cx, Op::Read, path, None),
                },
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

/// The bytes `ReadChunk(n)` asks for (negative: none).
fn chunk_size(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0).min(MAX_CHUNK)
}

/// `first` (bytes of the answer read already) and the file's next bytes,
/// up to `n` in all: fewer only at the end.
fn read_chunk(file: &Mutex<std::fs::File>, n: u64, mut first: Vec<u8>) -> Value {
    let left = n.saturating_sub(first.len() as u64);
    first.reserve(left.min(1 << 20) as usize);
    let mut file = file.lock();
    // A read error ends the file early: what was read is answered.
    let _ = (&mut *file).take(left).read_to_end(&mut first);
    Value::Bytes(first.into(), 0)
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
                let n = chunk_size(n);
                let first = match nowait::read_cached(&file.lock(), n as usize) {
                    nowait::Cached::All(bytes) => {
                        cx.put(&self.end, Value::Bytes(bytes.into(), 0));
                        return None;
                    }
                    nowait::Cached::Part(bytes) => bytes,
                };
                let work: Work = Box::new(move |_: &RunHandle| vec![read_chunk(&file, n, first)]);
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

    fn refused<T>(r: Result<T, String>) -> bool {
        matches!(r, Err(e) if e.starts_with(OUTSIDE))
    }

    /// What reading `path` in `root` gives: the file's text, or the refusal.
    fn read(root: &Root, path: &str) -> Result<String, String> {
        let mut text = String::new();
        let mut file = root.open_file(path)?;
        file.read_to_string(&mut text).map_err(|e| e.to_string())?;
        Ok(text)
    }

    #[test]
    fn files_and_folders_inside_the_root_are_opened() {
        let (_t, root, _) = layout();
        let root = Root::open(&root);
        assert_eq!(read(&root, "a.txt"), Ok("a".into()));
        assert_eq!(read(&root, "./sub/b.txt"), Ok("b".into()));
        assert_eq!(root.list("sub/"), Ok(vec!["b.txt".into()]));
        assert_eq!(root.list(""), Ok(vec!["a.txt".into(), "sub".into()]));
        assert_eq!(root.list("."), root.list(""));
        assert_eq!(read(&root, "nope.txt"), Err(NOT_FOUND.to_string()));
        assert_eq!(read(&root, "sub"), Err("is a folder, not a file".into()));
    }

    #[test]
    fn an_absolute_path_inside_the_root_is_accepted() {
        let (_t, root_path, _outside) = layout();
        let root = Root::open(&root_path);
        let canon = root_path.canonicalize().expect("canonical root");
        let abs = canon.join("sub/b.txt");
        assert_eq!(read(&root, &abs.to_string_lossy()), Ok("b".into()));
        let dir = canon.join("sub");
        assert_eq!(root.list(&dir.to_string_lossy()), Ok(vec!["b.txt".into()]));
        let new = canon.join("new.txt");
        assert!(root.create(&new.to_string_lossy()).is_ok());
        assert!(canon.join("new.txt").exists());
    }

    #[test]
    fn parent_components_and_absolute_paths_outside_are_refused() {
        let (_t, root, outside) = layout();
        let root = Root::open(&root);
        assert!(refused(read(&root, "../outside/secret.txt")));
        assert!(refused(read(&root, "sub/../a.txt")));
        assert!(refused(root.list("..")));
        let abs = outside.join("secret.txt");
        assert!(refused(read(&root, &abs.to_string_lossy())));
        assert!(refused(read(&root, "/etc/passwd")));
        assert!(refused(root.create("../x.txt")));
        assert!(refused(root.create("/tmp/x.txt")));
    }

    /// A symbolic link `name` in `root` to `target`.
    #[cfg(unix)]
    fn link(root: &Path, target: &Path, name: &str) {
        std::os::unix::fs::symlink(target, root.join(name)).expect("symlink")
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_root_are_refused() {
        let (_t, root_path, outside) = layout();
        let link = |target: &Path, name: &str| link(&root_path, target, name);
        link(&outside.join("secret.txt"), "to_secret");
        link(&outside, "to_outside");
        link(Path::new("a.txt"), "to_a");
        link(&root_path.join("a.txt"), "to_a_absolute");
        link(&outside.join("missing.txt"), "dangling");
        let root = Root::open(&root_path);
        assert!(refused(read(&root, "to_secret")));
        assert!(refused(read(&root, "to_outside/secret.txt")));
        assert!(refused(root.list("to_outside")));
        assert_eq!(read(&root, "to_a"), Ok("a".into()));
        // An absolute link target is outside by its form, even when it
        // names a file inside (docs/decisions.md, "The file sandbox").
        assert!(refused(read(&root, "to_a_absolute")));
        // Writes: through a link to a folder outside, onto a link to a file
        // outside, onto a dangling link (which would create a file outside).
        assert!(refused(root.create("to_outside/new.txt")));
        assert!(refused(root.create("to_secret")));
        assert!(refused(root.create("dangling")));
        assert!(!outside.join("missing.txt").exists());
        assert!(root.create("to_a").is_ok());
        assert_eq!(
            std::fs::read_to_string(outside.join("secret.txt")).ok(),
            Some("s".into())
        );
    }

    /// A file replaced, again and again, by a link to a file outside and
    /// back: no open in the root ever reads the outside file (with a
    /// check-then-open sandbox, about one read in 3,000 did).
    #[cfg(unix)]
    #[test]
    fn a_link_swapped_in_during_opens_never_leads_outside() {
        let (_t, root_path, outside) = layout();
        let root = Root::open(&root_path);
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let swapper = {
            let (stop, root_path) = (stop.clone(), root_path.clone());
            let secret = outside.join("secret.txt");
            std::thread::spawn(move || {
                let (x, tmp_file, tmp_link) = (
                    root_path.join("x.txt"),
                    root_path.join(".x.file"),
                    root_path.join(".x.link"),
                );
                let mut swaps = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let _ = std::fs::write(&tmp_file, "inside");
                    let _ = std::fs::rename(&tmp_file, &x);
                    let _ = std::os::unix::fs::symlink(&secret, &tmp_link);
                    let _ = std::fs::rename(&tmp_link, &x);
                    swaps += 1;
                }
                swaps
            })
        };
        let (mut inside, mut refusals) = (0u32, 0u32);
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(1500);
        while std::time::Instant::now() < deadline {
            match read(&root, "x.txt") {
                Ok(text) => {
                    assert_eq!(text, "inside", "a read reached outside the root");
                    inside += 1;
                }
                Err(_) => refusals += 1,
            }
        }
        stop.store(true, Ordering::Relaxed);
        let swaps = swapper.join().expect("swapper");
        // The race was really run: both outcomes were seen many times.
        assert!(swaps > 100, "only {swaps} swaps");
        assert!(
            inside > 10 && refusals > 10,
            "{inside} reads, {refusals} refusals"
        );
    }

    #[test]
    fn new_files_are_created_in_existing_folders_only() {
        let (_t, root_path, _) = layout();
        let root = Root::open(&root_path);
        assert!(root.create("new.txt").is_ok());
        assert!(root.create("sub/new.txt").is_ok());
        assert!(root_path.join("sub/new.txt").exists());
        assert_eq!(
            root.create("nofolder/new.txt").err(),
            Some(NOT_FOUND.to_string())
        );
        assert!(root.create("sub").is_err());
        assert!(root.create("").is_err());
    }

    #[test]
    fn roots_are_tried_in_order() {
        let (t, root, outside) = layout();
        let roots = vec![Root::open(&outside), Root::open(&root)];
        assert_eq!(in_roots(&roots, "a.txt", read, "none"), Ok("a".into()));
        assert_eq!(in_roots(&roots, "secret.txt", read, "none"), Ok("s".into()));
        assert_eq!(
            in_roots(&roots, "zzz", read, "none"),
            Err(NOT_FOUND.to_string())
        );
        assert!(refused(in_roots(&roots, "../x", read, "none")));
        assert_eq!(
            in_roots(&[], "a.txt", read, "none"),
            Err("none".to_string())
        );
        let missing_root = vec![Root::open(&t.0.join("missing"))];
        let got = in_roots(&missing_root, "a.txt", read, "none");
        assert!(matches!(got, Err(e) if e.starts_with(ROOT_UNUSABLE)));
    }

    /// What opening `path` in place in `root` gives: the file's text, or
    /// `None` (left to the pool).
    #[cfg(target_os = "linux")]
    fn read_in_place(root: &Root, path: &str) -> Option<String> {
        let (dir, rel) = root.relative(path).ok()?;
        let file = nowait::open_cached(dir, rel)?;
        match nowait::read_cached(&file, 1000) {
            nowait::Cached::All(bytes) => String::from_utf8(bytes).ok(),
            nowait::Cached::Part(_) => None,
        }
    }

    /// The first answer of up to three tries of `f`.
    #[cfg(target_os = "linux")]
    fn three_tries<T>(f: impl FnMut() -> Option<T>) -> Option<T> {
        std::iter::repeat_with(f).take(3).flatten().next()
    }

    /// Whether this kernel and the file system under the temp folder
    /// answer, for `file` just read, an open with `RESOLVE_CACHED` and a
    /// read with `RWF_NOWAIT`: asked of the kernel directly, not through
    /// `nowait`. Kernels before 5.12 refuse the first, and file systems
    /// that revalidate every lookup (FUSE, 9p, NFS, some sandboxes)
    /// refuse it every time; the service then leaves every open and read
    /// to its pool, which the other tests check. Tried three times, in
    /// case the caches were pruned between the read and the open.
    #[cfg(target_os = "linux")]
    fn kernel_answers_in_place(file: &Path, cached_open: bool) -> bool {
        use rustix::fs::{CWD, Mode, OFlags, ResolveFlags, openat2};
        use rustix::io::{ReadWriteFlags, preadv2};
        let try_once = || {
            let _ = std::fs::read(file);
            let flags = OFlags::RDONLY | OFlags::CLOEXEC;
            let fd = match cached_open {
                true => openat2(CWD, file, flags, Mode::empty(), ResolveFlags::CACHED).ok()?,
                false => std::fs::File::open(file).ok()?.into(),
            };
            let mut byte = [0u8; 1];
            let bufs = &mut [std::io::IoSliceMut::new(&mut byte)];
            preadv2(&fd, bufs, 0, ReadWriteFlags::NOWAIT).ok()
        };
        let answers = three_tries(try_once).is_some();
        if !answers {
            eprintln!("this kernel or file system does not answer in place: only refusals checked");
        }
        answers
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_open_in_place_stays_inside_the_root_and_keeps_only_regular_files() {
        let (_t, root_path, outside) = layout();
        link(&root_path, &outside.join("secret.txt"), "to_secret");
        link(&root_path, Path::new("a.txt"), "to_a");
        let root = Root::open(&root_path);
        // Read once through cap-std, so that the lookup cache holds them.
        for path in ["a.txt", "sub/b.txt", "to_a", "to_secret"] {
            let _ = read(&root, path);
        }
        if kernel_answers_in_place(&root_path.join("a.txt"), true) {
            // A cached lookup may still be refused now and then (a mount
            // elsewhere restarts every lock-free walk): three tries each.
            let soon = |path| {
                three_tries(|| {
                    let got = read_in_place(&root, path);
                    if got.is_none() {
                        let _ = read(&root, path);
                    }
                    got
                })
            };
            assert_eq!(soon("a.txt").as_deref(), Some("a"));
            assert_eq!(soon("sub/b.txt").as_deref(), Some("b"));
            assert_eq!(soon("to_a").as_deref(), Some("a"));
        }
        // Whatever the kernel answers, nothing outside the root is read.
        assert_eq!(read_in_place(&root, "to_secret"), None);
        assert_eq!(read_in_place(&root, "../outside/secret.txt"), None);
        assert_eq!(read_in_place(&root, "/etc/passwd"), None);
        assert_eq!(read_in_place(&root, "sub"), None);
        assert_eq!(read_in_place(&root, "nope.txt"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_open_in_place_of_a_fifo_does_not_wait_for_a_writer() {
        use rustix::fs::{CWD, FileType, Mode, mknodat};
        let (_t, root_path, _) = layout();
        let fifo = root_path.join("fifo");
        mknodat(CWD, &fifo, FileType::Fifo, Mode::RUSR | Mode::WUSR, 0).expect("mkfifo");
        let root = Root::open(&root_path);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(read_in_place(&root, "fifo"));
        });
        let got = rx.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(got, Ok(None), "left to the pool, at once");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_read_in_place_answers_up_to_n_bytes_and_fewer_only_at_the_end() {
        let (_t, root_path, _) = layout();
        let text: Vec<u8> = (0..nowait::MAX_IN_PLACE + 100)
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(root_path.join("big"), &text).expect("write");
        if !kernel_answers_in_place(&root_path.join("big"), false) {
            return;
        }
        let file = std::fs::File::open(root_path.join("big")).expect("open");
        let all = |c: nowait::Cached| match c {
            nowait::Cached::All(b) => b,
            nowait::Cached::Part(b) => panic!("only {} bytes in place", b.len()),
        };
        // Just written: the page cache holds it.
        assert_eq!(all(nowait::read_cached(&file, 10)), text[..10]);
        assert!(all(nowait::read_cached(&file, 0)).is_empty());
        // More than one read in place takes: the first part, the rest left.
        match nowait::read_cached(&file, nowait::MAX_IN_PLACE + 1) {
            nowait::Cached::Part(b) => assert_eq!(b, text[10..10 + nowait::MAX_IN_PLACE]),
            nowait::Cached::All(_) => panic!("a read larger than MAX_IN_PLACE is not whole"),
        }
        assert_eq!(
            all(nowait::read_cached(&file, 1000)),
            text[10 + nowait::MAX_IN_PLACE..]
        );
        assert!(all(nowait::read_cached(&file, 5)).is_empty(), "at the end");
    }
}
