//! The listener, one thread per connection, and a clean stop.

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::connection::{Connection, ReadError};
use super::request::Request;
use super::response::Response;
use crate::error::ApiError;

/// How long a kept-alive connection may stay idle (longer than clients keep idle connections
/// pooled, so a client never reuses a connection the server is closing).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// Most connections open at once; more are answered 503 and closed.
const MAX_CONNECTIONS: usize = 512;

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

/// The function that answers requests.
pub(crate) type Handler = Arc<dyn Fn(&Request) -> Outcome + Send + Sync>;

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

/// Open connections (to shut them down on stop) and their threads (to join them).
#[derive(Debug, Default)]
struct Connections {
    next_id: u64,
    open: HashMap<u64, TcpStream>,
    threads: Vec<JoinHandle<()>>,
}

struct Shared {
    stop: Stop,
    connections: Mutex<Connections>,
    handler: Handler,
}

impl Shared {
    fn connections(&self) -> MutexGuard<'_, Connections> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Listens on `addr` (port 0 picks a free port) and serves requests with `handler`.
    pub(crate) fn start(addr: SocketAddr, handler: Handler) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stop: Stop::default(),
            connections: Mutex::default(),
            handler,
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
            for stream in connections.open.values() {
                let _ = stream.shutdown(Shutdown::Both);
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
        let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
        let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
        let mut connections = shared.connections();
        connections.threads.retain(|t| !t.is_finished());
        if connections.open.len() >= MAX_CONNECTIONS {
            drop(connections);
            let busy = Response::error(&ApiError::unavailable());
            let mut conn = Connection::new(stream);
            let _ = conn.write(&busy.to_bytes(false));
            conn.close();
            continue;
        }
        let id = connections.next_id;
        connections.next_id += 1;
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        connections.open.insert(id, registered);
        let thread_shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("emulator-connection".into())
            .spawn(move || {
                serve(Connection::new(stream), &thread_shared);
                thread_shared.connections().open.remove(&id);
            });
        match spawned {
            Ok(thread) => connections.threads.push(thread),
            Err(_) => {
                connections.open.remove(&id);
            }
        }
    }
}

/// Answers the requests of one connection until it closes.
fn serve(mut conn: Connection, shared: &Shared) {
    loop {
        let incoming = match conn.read_request() {
            Ok(incoming) => incoming,
            Err(ReadError::Closed) => return conn.close(),
            Err(ReadError::Bad(status, why)) => return conn.refuse(status, why),
            Err(ReadError::TooLarge) => {
                let limit = super::connection::MAX_BODY;
                let answer = Response::error(&ApiError::too_large(limit));
                let _ = conn.write(&answer.to_bytes(false));
                return conn.close();
            }
        };
        if shared.stop.is_set() {
            return conn.close();
        }
        let response = match (shared.handler)(&incoming.request) {
            Outcome::Respond(response) => response,
            Outcome::Delayed(response, delay) => {
                shared.stop.sleep(delay);
                response
            }
            Outcome::Drop => return conn.close(),
        };
        let keep_alive = incoming.keep_alive && !shared.stop.is_set();
        if conn.write(&response.to_bytes(keep_alive)).is_err() || !keep_alive {
            return conn.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::time::Instant;

    fn echo_server() -> Server {
        let handler: Handler = Arc::new(|req: &Request| match req.path.as_str() {
            "/drop" => Outcome::Drop,
            "/slow" => Outcome::Delayed(
                Response::json(200, &serde_json::json!({})),
                Duration::from_secs(30),
            ),
            _ => Outcome::Respond(Response::json(
                200,
                &serde_json::json!({"path": req.path, "body": String::from_utf8_lossy(&req.body)}),
            )),
        });
        Server::start("127.0.0.1:0".parse().unwrap(), handler).unwrap()
    }

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
}
