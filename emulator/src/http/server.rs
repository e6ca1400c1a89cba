//! The listener, one thread per connection, and a clean stop.
//!
//! Every open connection has a slot that says what it is doing: waiting for its next request
//! (idle, since when), receiving a request (since when), or busy (running the handler,
//! writing the answer). At [`Limits::max_connections`], a new connection takes the slot of
//! the connection idle the longest, or failing that of the one that has been sending its
//! request the longest: that one is shut down and the new one served. Only when every
//! connection is busy is the new one answered 503. A slot is released by a guard, whatever
//! way its thread ends, and a panic in the handler is answered 500 `INTERNAL_ERROR`.

use std::any::Any;
use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::connection::{Connection, ReadError, deadline_after};
use super::request::Request;
use super::response::Response;
use crate::error::ApiError;
use crate::scratch::ScratchDir;

/// Most connections open at once, by default (see
/// [`EmulatorBuilder::max_connections`](crate::EmulatorBuilder::max_connections)).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// How long a connection may wait for its next request before the server closes it, by
/// default: 60 s.
///
/// Longer than clients keep idle connections pooled — this SDK's HTTP client (ureq) drops
/// them after 15 s — so that such a client never reuses a connection the server is closing;
/// clients that pool longer (Go's default transport: 90 s) see the close before reusing.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a client may take to send one request (from its first byte), by default: 30 s;
/// each 64 KiB of body received give it that long again, so that a large upload is cut off
/// only when it stalls. Beyond it the request is answered 408 and the connection closed.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long writing one answer may take before the connection is closed; for an answer sent
/// from a file, how long writing each piece of it may take.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest timeout accepted; longer ones are shortened to it.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);
/// Shortest timeout accepted; shorter ones are lengthened to it.
const MIN_TIMEOUT: Duration = Duration::from_millis(1);

/// The limits of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Most connections open at once (at least 1).
    pub(crate) max_connections: usize,
    /// How long a connection may wait for its next request.
    pub(crate) idle_timeout: Duration,
    /// How long receiving one request may take.
    pub(crate) request_timeout: Duration,
    /// How long writing one answer may take.
    pub(crate) write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            write_timeout: WRITE_TIMEOUT,
        }
    }
}

impl Limits {
    /// The limits with every value in its usable range.
    fn sane(self) -> Self {
        let clamp = |d: Duration| d.clamp(MIN_TIMEOUT, MAX_TIMEOUT);
        Self {
            max_connections: self.max_connections.max(1),
            idle_timeout: clamp(self.idle_timeout),
            request_timeout: clamp(self.request_timeout),
            write_timeout: clamp(self.write_timeout),
        }
    }
}

/// What to do with a request.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Send this answer.
    Respond(Response),
    /// Send this answer after a pause (an injected delay).
    Delayed(Response, Duration),
    /// Close the connection without an answer (an injected fault).
    Drop,
}

/// What answers the requests of a server.
pub(crate) trait Service: Send + Sync {
    /// The largest body the request with this head (method, path, headers; its body not read
    /// yet) may have. A larger `Content-Length` is answered 413 before any of the body is
    /// read; a chunked body is cut off with a 413 as soon as it passes the limit.
    fn body_limit(&self, head: &Request) -> u64;

    /// Answers a request whose body has been received.
    fn answer(&self, request: &Request) -> Outcome;
}

/// The service of a server.
pub(crate) type Handler = Arc<dyn Service>;

/// A stop signal that also cuts short injected delays.
#[derive(Debug, Default)]
struct Stop {
    stopped: Mutex<bool>,
    changed: Condvar,
}

impl Stop {
    fn flag(&self) -> MutexGuard<'_, bool> {
        self.stopped.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_set(&self) -> bool {
        *self.flag()
    }

    fn set(&self) {
        *self.flag() = true;
        self.changed.notify_all();
    }

    /// Sleeps for `d` unless the server stops first.
    fn sleep(&self, d: Duration) {
        let guard = self.flag();
        let _ = self
            .changed
            .wait_timeout_while(guard, d, |stopped| !*stopped);
    }
}

/// What an open connection is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activity {
    /// Waiting for its next (or first) request since then.
    Idle(Instant),
    /// Receiving a request since then.
    Reading(Instant),
    /// Running the handler or writing the answer: never closed to make room.
    Busy,
}

/// One open connection.
#[derive(Debug)]
struct Open {
    /// A handle on the socket, to shut it down (eviction, stop).
    stream: TcpStream,
    activity: Activity,
    /// Shut down to make room for a newer connection; its thread is ending.
    evicted: bool,
}

/// Open connections (to make room, and to shut them down on stop) and their threads (to join
/// them).
#[derive(Debug, Default)]
struct Connections {
    next_id: u64,
    open: HashMap<u64, Open>,
    threads: Vec<JoinHandle<()>>,
}

impl Connections {
    /// Connections that hold a slot (evicted ones are on their way out).
    fn live(&self) -> usize {
        self.open.values().filter(|c| !c.evicted).count()
    }

    /// Shuts down the connection idle the longest, else the one receiving its request the
    /// longest; `false` when every connection is busy.
    fn evict_one(&mut self) -> bool {
        let victim = self
            .open
            .iter()
            .filter(|(_, c)| !c.evicted)
            .filter_map(|(id, c)| match c.activity {
                Activity::Idle(since) => Some(((0, since), *id)),
                Activity::Reading(since) => Some(((1, since), *id)),
                Activity::Busy => None,
            })
            .min()
            .map(|(_, id)| id);
        let Some(open) = victim.and_then(|id| self.open.get_mut(&id)) else {
            return false;
        };
        open.evicted = true;
        let _ = open.stream.shutdown(Shutdown::Both);
        true
    }
}

struct Shared {
    stop: Stop,
    connections: Mutex<Connections>,
    handler: Handler,
    limits: Limits,
    /// Where large request bodies are spooled.
    scratch: Arc<ScratchDir>,
}

impl Shared {
    fn connections(&self) -> MutexGuard<'_, Connections> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The slot of one connection; dropping it (however the connection's thread ends, panics
/// included) releases the slot.
struct Slot {
    id: u64,
    shared: Arc<Shared>,
}

impl Slot {
    /// Records what the connection does now; `false` when it was evicted meanwhile (the
    /// connection must then close).
    fn set(&self, activity: Activity) -> bool {
        match self.shared.connections().open.get_mut(&self.id) {
            Some(open) if !open.evicted => {
                open.activity = activity;
                true
            }
            _ => false,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.connections().open.remove(&self.id);
    }
}

/// A running server; dropping it stops it and waits for its threads.
pub(crate) struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("limits", &self.shared.limits)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Listens on `addr` (port 0 picks a free port) and serves requests with `handler`
    /// within `limits`, spooling large request bodies to `scratch`.
    pub(crate) fn start(
        addr: SocketAddr,
        handler: Handler,
        limits: Limits,
        scratch: Arc<ScratchDir>,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stop: Stop::default(),
            connections: Mutex::default(),
            handler,
            limits: limits.sane(),
            scratch,
        });
        let accept_shared = Arc::clone(&shared);
        let accept = std::thread::Builder::new()
            .name("emulator-accept".into())
            .spawn(move || accept_loop(&listener, &accept_shared))?;
        Ok(Server {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The address the server listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections holding a slot now.
    #[cfg(test)]
    pub(crate) fn open_connections(&self) -> usize {
        self.shared.connections().live()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.set();
        // Wake the accept loop with a connection of our own; if that fails, leave the thread
        // rather than wait for it forever.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if let Some(accept) = self.accept.take()
            && woke
        {
            let _ = accept.join();
        }
        let threads = {
            let mut connections = self.shared.connections();
            for open in connections.open.values() {
                let _ = open.stream.shutdown(Shutdown::Both);
            }
            std::mem::take(&mut connections.threads)
        };
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.is_set() {
            return;
        }
        let Ok(stream) = stream else {
            // Out of file descriptors and the like: let the system breathe.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let mut connections = shared.connections();
        connections.threads.retain(|t| !t.is_finished());
        if connections.live() >= shared.limits.max_connections && !connections.evict_one() {
            drop(connections);
            // Every connection is running a request: a short, bounded answer.
            let busy = Response::error(&ApiError::unavailable());
            let scratch = Arc::clone(&shared.scratch);
            Connection::new(stream, Duration::from_secs(1), scratch).turn_away(&busy);
            continue;
        }
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        let id = connections.next_id;
        connections.next_id += 1;
        connections.open.insert(
            id,
            Open {
                stream: registered,
                activity: Activity::Idle(Instant::now()),
                evicted: false,
            },
        );
        drop(connections);
        let slot = Slot {
            id,
            shared: Arc::clone(shared),
        };
        let connection = Connection::new(
            stream,
            shared.limits.write_timeout,
            Arc::clone(&shared.scratch),
        );
        // Spawned without the lock: should spawning fail, dropping the closure drops the slot,
        // whose guard takes the lock to release it.
        let spawned = std::thread::Builder::new()
            .name("emulator-connection".into())
            .spawn(move || serve(connection, &slot));
        if let Ok(thread) = spawned {
            shared.connections().threads.push(thread);
        }
    }
}

/// The message of a panic payload.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

/// Runs the handler; a panic becomes a 500 `INTERNAL_ERROR` answer.
fn answer(handler: &Handler, request: &Request) -> Outcome {
    catch_unwind(AssertUnwindSafe(|| handler.answer(request))).unwrap_or_else(|payload| {
        Outcome::Respond(Response::error(&ApiError::internal(format!(
            "The emulator failed on {} {}: {}. This is a bug of the emulator.",
            request.method,
            request.path,
            panic_message(payload.as_ref())
        ))))
    })
}

/// Answers the requests of one connection until it closes.
fn serve(mut conn: Connection, slot: &Slot) {
    let shared = &slot.shared;
    let limits = shared.limits;
    loop {
        if conn.wait_for_request(limits.idle_timeout).is_err()
            || !slot.set(Activity::Reading(Instant::now()))
        {
            return conn.close();
        }
        let body_limit = |head: &Request| shared.handler.body_limit(head);
        let incoming = match conn.read_request(deadline_after(limits.request_timeout), &body_limit)
        {
            Ok(incoming) => incoming,
            Err(ReadError::Closed) => return conn.close(),
            Err(ReadError::Bad(status, why)) => return conn.refuse(status, why),
            Err(ReadError::TimedOut) => {
                let why = format!(
                    "the request was not received within {} ms",
                    limits.request_timeout.as_millis()
                );
                return conn.refuse(408, &why);
            }
            Err(ReadError::TooLarge(limit)) => {
                let answer = Response::error(&ApiError::too_large(limit));
                return conn.answer_and_close(&answer);
            }
            Err(ReadError::Storage(e)) => {
                let answer = Response::error(&ApiError::internal(format!(
                    "The emulator could not store the request body: {e}."
                )));
                return conn.answer_and_close(&answer);
            }
        };
        if shared.stop.is_set() || !slot.set(Activity::Busy) {
            return conn.close();
        }
        let response = match answer(&shared.handler, &incoming.request) {
            Outcome::Respond(response) => response,
            Outcome::Delayed(response, delay) => {
                shared.stop.sleep(delay);
                response
            }
            Outcome::Drop => return conn.close(),
        };
        let keep_alive = incoming.keep_alive && !shared.stop.is_set();
        // The answer to a HEAD is the head of the answer to a GET: its Content-Length, no body.
        let head_only = incoming.request.method == "HEAD";
        let sent = conn.send(&response, keep_alive, head_only);
        // A spooled request body is deleted here, before the connection waits for more.
        drop(incoming);
        if sent.is_err() || !keep_alive || !slot.set(Activity::Idle(Instant::now())) {
            return conn.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::super::body::testing::{Pattern, fnv1a};

    /// Requests that reached the `/busy` handler (only one test uses it).
    static BUSY: AtomicUsize = AtomicUsize::new(0);

    /// The service of the tests: echoes the path and body, and misbehaves on request; with a
    /// scratch directory, also takes uploads and serves a file.
    struct Echo {
        body_limit: u64,
        files: Option<Files>,
    }

    /// Where [`Echo`] finds what it needs for `/upload` and `/file`.
    struct Files {
        scratch: Arc<ScratchDir>,
        served: std::path::PathBuf,
    }

    impl Service for Echo {
        fn body_limit(&self, _: &Request) -> u64 {
            self.body_limit
        }

        fn answer(&self, req: &Request) -> Outcome {
            match (req.path.as_str(), &self.files) {
                // The length and hash of the body, and whether it was spooled to the scratch
                // directory.
                ("/upload", Some(files)) => {
                    let (hash, len) = fnv1a(req.body.reader().unwrap()).unwrap();
                    let spooled = req
                        .body
                        .path()
                        .is_some_and(|p| p.starts_with(files.scratch.path().unwrap()));
                    Outcome::Respond(Response::json(
                        200,
                        &serde_json::json!({"len": len, "hash": hash.to_string(), "spooled": spooled}),
                    ))
                }
                ("/file", Some(files)) => {
                    let file = std::fs::File::open(&files.served).unwrap();
                    let modified = std::time::UNIX_EPOCH + Duration::from_secs(784_111_777);
                    let answer =
                        Response::file(req, file, "application/octet-stream", Some(modified));
                    Outcome::Respond(answer.unwrap())
                }
                _ => echo(req),
            }
        }
    }

    fn echo(req: &Request) -> Outcome {
        match req.path.as_str() {
            "/drop" => Outcome::Drop,
            "/slow" => Outcome::Delayed(
                Response::json(200, &serde_json::json!({})),
                Duration::from_secs(30),
            ),
            "/busy" => {
                BUSY.fetch_add(1, Ordering::SeqCst);
                Outcome::Delayed(
                    Response::json(200, &serde_json::json!({})),
                    Duration::from_secs(30),
                )
            }
            "/panic" => panic!("the handler fell over"),
            _ => Outcome::Respond(Response::json(
                200,
                &serde_json::json!({"path": req.path, "body": String::from_utf8_lossy(&req.body.to_bytes().unwrap())}),
            )),
        }
    }

    fn echo_server() -> Server {
        echo_server_with(Limits::default())
    }

    fn echo_server_with(limits: Limits) -> Server {
        let echo = Echo {
            body_limit: 10 * 1024 * 1024,
            files: None,
        };
        let scratch = Arc::new(ScratchDir::new());
        Server::start(
            "127.0.0.1:0".parse().unwrap(),
            Arc::new(echo),
            limits,
            scratch,
        )
        .unwrap()
    }

    /// Waits (at most 5 s) until `done` holds.
    fn eventually(what: &str, done: impl Fn() -> bool) {
        let started = Instant::now();
        while !done() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends `byte` every 20 ms (so that every single read of the server is short) until the
    /// server answers and closes, or 3 s have passed; returns the answer and when it ended.
    fn trickle(stream: &mut TcpStream, byte: &[u8]) -> (String, Duration) {
        let started = Instant::now();
        let mut reader = stream.try_clone().unwrap();
        reader
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let reading = std::thread::spawn(move || {
            let mut answer = Vec::new();
            // A reset after the answer is an error, but the bytes before it are kept.
            let _ = reader.read_to_end(&mut answer);
            (
                String::from_utf8_lossy(&answer).into_owned(),
                started.elapsed(),
            )
        });
        while !reading.is_finished() && started.elapsed() < Duration::from_secs(3) {
            if stream.write_all(byte).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        reading.join().unwrap()
    }

    const GET_AND_CLOSE: &[u8] = b"GET /x HTTP/1.1\r\nConnection: close\r\n\r\n";

    fn exchange(server: &Server, raw: &[u8]) -> String {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream.write_all(raw).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    #[test]
    fn answers_with_json_and_closes_when_asked() {
        let server = echo_server();
        let answer = exchange(
            &server,
            b"POST /x HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
        );
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with(r#"{"body":"{}","path":"/x"}"#), "{answer}");
    }

    #[test]
    fn a_dropped_request_gets_no_bytes_at_all() {
        let server = echo_server();
        assert_eq!(exchange(&server, b"GET /drop HTTP/1.1\r\n\r\n"), "");
    }

    #[test]
    fn garbage_gets_a_plain_400() {
        let server = echo_server();
        let answer = exchange(&server, b"hello\r\n\r\n");
        assert!(
            answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{answer}"
        );
    }

    #[test]
    fn dropping_the_server_cuts_delays_short_and_closes_connections() {
        let server = echo_server();
        let mut slow = TcpStream::connect(server.addr()).unwrap();
        slow.write_all(b"GET /slow HTTP/1.1\r\n\r\n").unwrap();
        let mut idle = TcpStream::connect(server.addr()).unwrap();
        idle.write_all(b"GET /x HTTP/1.1\r\n\r\n").unwrap();
        let mut first = [0u8; 12];
        idle.read_exact(&mut first).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        drop(server);
        assert!(started.elapsed() < Duration::from_secs(5));
        let mut rest = Vec::new();
        let _ = idle.read_to_end(&mut rest);
        let mut answer = Vec::new();
        let _ = slow.read_to_end(&mut answer);
    }

    #[test]
    fn at_the_limit_the_longest_idle_connection_makes_room_and_a_normal_client_is_served() {
        let limit = 8;
        let server = echo_server_with(Limits {
            max_connections: limit,
            ..Limits::default()
        });
        // More idle connections than the limit: each one past it pushes the oldest out.
        let mut idle: Vec<TcpStream> = (0..limit + 20)
            .map(|_| TcpStream::connect(server.addr()).unwrap())
            .collect();
        eventually("the idle connections to be accepted", || {
            server.open_connections() == limit
        });
        let answer = exchange(&server, GET_AND_CLOSE);
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        // The oldest ones were closed by the server; the newest still hold their slots.
        let mut first = idle.remove(0);
        first
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut byte = [0u8; 1];
        assert!(matches!(first.read(&mut byte), Ok(0) | Err(_)));
        let last = idle.last_mut().unwrap();
        last.write_all(GET_AND_CLOSE).unwrap();
        let mut answer = String::new();
        last.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(server.open_connections() <= limit);
    }

    #[test]
    fn slow_requests_at_the_limit_make_room_for_a_new_client() {
        let limit = 4;
        let server = echo_server_with(Limits {
            max_connections: limit,
            ..Limits::default()
        });
        let mut slow: Vec<TcpStream> = (0..limit)
            .map(|_| {
                let mut s = TcpStream::connect(server.addr()).unwrap();
                s.write_all(b"GET /x HTTP/1.1\r\nX-Never: ending").unwrap();
                s
            })
            .collect();
        eventually("the slow requests to be accepted", || {
            server.open_connections() == limit
        });
        let answer = exchange(&server, GET_AND_CLOSE);
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        slow.clear();
    }

    #[test]
    fn when_every_connection_is_busy_a_new_one_is_answered_503() {
        let server = echo_server_with(Limits {
            max_connections: 2,
            ..Limits::default()
        });
        let before = BUSY.load(Ordering::SeqCst);
        let busy: Vec<TcpStream> = (0..2)
            .map(|_| {
                let mut s = TcpStream::connect(server.addr()).unwrap();
                s.write_all(b"GET /busy HTTP/1.1\r\n\r\n").unwrap();
                s
            })
            .collect();
        eventually("both requests to be running", || {
            BUSY.load(Ordering::SeqCst) >= before + 2
        });
        let answer = exchange(&server, GET_AND_CLOSE);
        assert!(
            answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{answer}"
        );
        assert!(answer.contains("TEMPORARILY_UNAVAILABLE"), "{answer}");
        drop(server);
        drop(busy);
    }

    #[test]
    fn a_panicking_handler_answers_500_and_releases_its_slot() {
        let server = echo_server();
        let answer = exchange(&server, b"GET /panic HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(
            answer.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
            "{answer}"
        );
        assert!(
            answer.contains(r#""error_code":"INTERNAL_ERROR""#),
            "{answer}"
        );
        assert!(answer.contains("the handler fell over"), "{answer}");
        // The server keeps serving, on the same connection and on new ones.
        let mut kept = TcpStream::connect(server.addr()).unwrap();
        kept.write_all(b"GET /panic HTTP/1.1\r\n\r\n").unwrap();
        kept.write_all(GET_AND_CLOSE).unwrap();
        let mut both = String::new();
        kept.read_to_string(&mut both).unwrap();
        assert!(both.starts_with("HTTP/1.1 500 "), "{both}");
        assert!(both.contains("HTTP/1.1 200 OK\r\n"), "{both}");
        let answer = exchange(&server, GET_AND_CLOSE);
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        eventually("every slot to be released", || {
            server.open_connections() == 0
        });
    }

    #[test]
    fn a_request_that_trickles_in_is_answered_408_and_closed() {
        let server = echo_server_with(Limits {
            request_timeout: Duration::from_millis(300),
            ..Limits::default()
        });
        let mut slow = TcpStream::connect(server.addr()).unwrap();
        slow.write_all(b"GET /x HTTP/1.1\r\n").unwrap();
        let (answer, answered_after) = trickle(&mut slow, b"X");
        assert!(
            answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{answer}"
        );
        assert!(
            answered_after < Duration::from_secs(2),
            "{answered_after:?}"
        );
        eventually("the slot to be released", || server.open_connections() == 0);
    }

    #[test]
    fn a_body_that_keeps_arriving_may_take_longer_than_the_request_timeout() {
        let server = echo_server_with(Limits {
            request_timeout: Duration::from_millis(400),
            ..Limits::default()
        });
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        let len = 8 * 64 * 1024;
        write!(
            stream,
            "POST /x HTTP/1.1\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        // 64 KiB every 150 ms: 1.2 s in all, three times the request timeout, each piece well
        // within it.
        let started = Instant::now();
        for _ in 0..8 {
            std::thread::sleep(Duration::from_millis(150));
            stream.write_all(&[b'x'; 64 * 1024]).unwrap();
        }
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(started.elapsed() > Duration::from_millis(400));
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    }

    #[test]
    fn an_idle_connection_is_closed_after_the_idle_timeout() {
        let server = echo_server_with(Limits {
            idle_timeout: Duration::from_millis(200),
            ..Limits::default()
        });
        let mut idle = TcpStream::connect(server.addr()).unwrap();
        idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let started = Instant::now();
        let mut rest = Vec::new();
        assert_eq!(idle.read_to_end(&mut rest).unwrap(), 0);
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(started.elapsed() < Duration::from_secs(3));
        eventually("the slot to be released", || server.open_connections() == 0);
    }

    /// A server of [`Echo`] with uploads of any size, serving `served` at `/file`.
    fn file_server(served: std::path::PathBuf) -> (Server, Arc<ScratchDir>) {
        let scratch = Arc::new(ScratchDir::new());
        let echo = Echo {
            body_limit: u64::MAX,
            files: Some(Files {
                scratch: Arc::clone(&scratch),
                served,
            }),
        };
        let server = Server::start(
            "127.0.0.1:0".parse().unwrap(),
            Arc::new(echo),
            Limits::default(),
            Arc::clone(&scratch),
        )
        .unwrap();
        (server, scratch)
    }

    /// Reads one answer: its head, and its body as announced by `Content-Length` (none for
    /// an answer to HEAD), which `body` reads.
    fn answer_of<T>(
        stream: &mut TcpStream,
        head_only: bool,
        body: impl FnOnce(&mut dyn Read) -> T,
    ) -> (String, T) {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap();
        let len: u64 = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap()
            .parse()
            .unwrap();
        let len = if head_only { 0 } else { len };
        let value = body(&mut Read::by_ref(stream).take(len));
        (head, value)
    }

    fn bytes(reader: &mut dyn Read) -> Vec<u8> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).unwrap();
        bytes
    }

    /// Uploads `len` pattern bytes to `/upload` (chunked in pieces of `chunk` bytes, or with
    /// `Content-Length`) from another thread, and returns the answer.
    fn upload(server: &Server, len: u64, chunk: Option<usize>) -> serde_json::Value {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        let mut writer = stream.try_clone().unwrap();
        let sender = std::thread::spawn(move || {
            let mut body = Pattern::new(3, len);
            match chunk {
                None => {
                    let head = format!("PUT /upload HTTP/1.1\r\nContent-Length: {len}\r\n\r\n");
                    writer.write_all(head.as_bytes()).unwrap();
                    io::copy(&mut body, &mut writer).unwrap();
                }
                Some(size) => {
                    writer
                        .write_all(b"PUT /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .unwrap();
                    let mut piece = vec![0u8; size];
                    loop {
                        let n = body.read(&mut piece).unwrap();
                        let size = format!("{n:x}\r\n");
                        let framed = [size.as_bytes(), &piece[..n], b"\r\n"];
                        writer.write_all(&framed.concat()).unwrap();
                        if n == 0 {
                            break;
                        }
                    }
                }
            }
        });
        let (head, body) = answer_of(&mut stream, false, bytes);
        sender.join().unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        serde_json::from_slice(&body).unwrap()
    }

    #[test]
    fn a_64_mib_upload_arrives_on_disk_byte_identical_and_is_removed_after_its_answer() {
        let (server, scratch) = file_server("/nonexistent".into());
        // A small body stays in memory: no directory is even made for it.
        let small = upload(&server, 100, None);
        assert_eq!(small["spooled"], false);
        assert_eq!(small["len"], 100);
        assert!(!scratch.exists());
        let len = 64 * 1024 * 1024;
        let (hash, _) = fnv1a(Pattern::new(3, len)).unwrap();
        let expected = serde_json::json!({"len": len, "hash": hash.to_string(), "spooled": true});
        assert_eq!(upload(&server, len, None), expected);
        // From a reader of unknown length: chunked (a quarter of the size, to save time).
        let (hash, _) = fnv1a(Pattern::new(3, len / 4)).unwrap();
        let chunked =
            serde_json::json!({"len": len / 4, "hash": hash.to_string(), "spooled": true});
        assert_eq!(upload(&server, len / 4, Some(1 << 20)), chunked);
        eventually("the spooled bodies to be deleted", || {
            std::fs::read_dir(scratch.path().unwrap()).unwrap().count() == 0
        });
    }

    #[test]
    fn a_body_over_the_limit_is_answered_413_before_it_is_read() {
        let server = echo_server();
        let answer = exchange(
            &server,
            b"PUT /x HTTP/1.1\r\nContent-Length: 10485761\r\nExpect: 100-continue\r\n\r\n",
        );
        assert!(
            answer.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
            "{answer}"
        );
        assert!(answer.contains("limit of 10485760 bytes"), "{answer}");
    }

    #[test]
    fn a_file_answer_is_streamed_with_ranges_and_head() {
        let len: u64 = 16 * 1024 * 1024 + 5;
        let mut served = tempfile::NamedTempFile::new().unwrap();
        io::copy(&mut Pattern::new(5, len), &mut served).unwrap();
        let (server, _scratch) = file_server(served.path().to_path_buf());
        let pattern = |first: u64, n: u64| {
            let mut all = Pattern::new(5, first + n);
            io::copy(&mut Read::by_ref(&mut all).take(first), &mut io::sink()).unwrap();
            bytes(&mut all)
        };
        // One keep-alive connection for every request: each answer must end where it says.
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        let mut get = |range: Option<&str>, method: &str| {
            let range = range.map_or(String::new(), |r| format!("Range: {r}\r\n"));
            let request = format!("{method} /file HTTP/1.1\r\n{range}\r\n");
            stream.write_all(request.as_bytes()).unwrap();
            answer_of(&mut stream, method == "HEAD", bytes)
        };

        let (head, body) = get(Some("bytes=10000000-10999999"), "GET");
        assert!(
            head.starts_with("HTTP/1.1 206 Partial Content\r\n"),
            "{head}"
        );
        assert!(
            head.contains(&format!("Content-Range: bytes 10000000-10999999/{len}\r\n")),
            "{head}"
        );
        assert!(head.contains("Content-Length: 1000000\r\n"), "{head}");
        assert_eq!(body, pattern(10_000_000, 1_000_000));

        let (head, body) = get(Some(&format!("bytes={}-", len - 10)), "GET");
        assert!(head.starts_with("HTTP/1.1 206 "), "{head}");
        assert_eq!(body, pattern(len - 10, 10));

        let (head, body) = get(Some(&format!("bytes={len}-")), "GET");
        assert!(
            head.starts_with("HTTP/1.1 416 Range Not Satisfiable\r\n"),
            "{head}"
        );
        assert!(
            head.contains(&format!("Content-Range: bytes */{len}\r\n")),
            "{head}"
        );
        assert!(body.is_empty());

        let (head, body) = get(None, "HEAD");
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(
            head.contains(&format!("Content-Length: {len}\r\n")),
            "{head}"
        );
        assert!(
            head.contains("Content-Type: application/octet-stream\r\n"),
            "{head}"
        );
        assert!(
            head.contains("Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
            "{head}"
        );
        assert!(body.is_empty());

        stream.write_all(b"GET /file HTTP/1.1\r\n\r\n").unwrap();
        let (head, whole) = answer_of(&mut stream, false, |r| fnv1a(r).unwrap());
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("Accept-Ranges: bytes\r\n"), "{head}");
        assert_eq!(whole, fnv1a(Pattern::new(5, len)).unwrap());
    }

    #[test]
    fn a_head_request_gets_no_body_even_from_a_json_answer() {
        let server = echo_server();
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream
            .write_all(b"HEAD /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut both = String::new();
        stream.read_to_string(&mut both).unwrap();
        let (head, rest) = both.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("Content-Length: 23\r\n"), "{head}");
        // The next answer follows the head at once.
        assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "{rest}");
        assert!(rest.ends_with(r#"{"body":"","path":"/y"}"#), "{rest}");
    }
}
