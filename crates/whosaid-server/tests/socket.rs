//! A real server on 127.0.0.1:0 driven over TCP: the API end to end, body limits on the
//! wire, slow clients (headers trickled, body trickled), and graceful shutdown. After
//! each abuse the server still answers.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use whosaid_server::Config;

use common::{agent, app_with, RealServer};

fn healthy(server: &RealServer) {
    let mut res = agent()
        .get(&server.url("/api/v1/health"))
        .call()
        .expect("health");
    assert_eq!(res.status(), 200);
    let body = res.body_mut().read_to_string().expect("body");
    assert!(body.contains("\"ok\""));
}

#[test]
fn api_over_tcp() {
    let server = RealServer::start(app_with(Config::default(), 0));
    healthy(&server);
    let a = agent();
    let mut res = a
        .get(&server.url("/api/v1/statements?q=bridge&limit=1"))
        .call()
        .unwrap();
    assert_eq!(res.status(), 200);
    let page: serde_json::Value = res.body_mut().read_json().unwrap();
    assert_eq!(page["hits"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().expect("second page");
    let mut res = a
        .get(&server.url("/api/v1/statements"))
        .query("q", "bridge")
        .query("limit", "1")
        .query("cursor", cursor)
        .call()
        .unwrap();
    assert_eq!(res.status(), 200);
    let page2: serde_json::Value = res.body_mut().read_json().unwrap();
    assert_ne!(
        page["hits"][0]["statement_id"],
        page2["hits"][0]["statement_id"]
    );
    let res = a.get(&server.url("/api/v1/nope")).call().unwrap();
    assert_eq!(res.status(), 404);
    let res = a.get(&server.url("/")).call().unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("content-security-policy").is_some());
    server.stop();
}

#[test]
fn oversized_bodies_on_the_wire() {
    let server = RealServer::start(app_with(
        Config {
            max_body_bytes: 10_000,
            ..Config::default()
        },
        0,
    ));
    let big = format!("{{\"text\": \"{}\"}}", "a".repeat(50_000));
    let mut res = agent()
        .post(&server.url("/api/v1/extract"))
        .header("content-type", "application/json")
        .send(big.as_bytes())
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(res
        .body_mut()
        .read_to_string()
        .unwrap()
        .contains("\"error\""));
    // Chunked, no Content-Length: cut off at the limit all the same.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "POST /api/v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").unwrap();
    for _ in 0..20 {
        let chunk = "b".repeat(1000);
        if write!(s, "{:x}\r\n{chunk}\r\n", chunk.len()).is_err() {
            break;
        }
    }
    let _ = write!(s, "0\r\n\r\n");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // A huge declared length is refused before any body is read.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "POST /api/v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Malformed HTTP.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"NOT HTTP AT ALL\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    healthy(&server);
}

#[test]
fn slow_clients_are_cut_off() {
    let server = RealServer::start(app_with(
        Config {
            header_read_timeout: Duration::from_millis(500),
            request_timeout: Duration::from_millis(700),
            ..Config::default()
        },
        0,
    ));
    // Headers trickled and never finished: the connection is closed.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let t = Instant::now();
    s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    let waited = t.elapsed();
    assert!(waited < Duration::from_secs(5), "held for {waited:?}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    // Headers complete, body trickled: 408 with a JSON error.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"POST /api/v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"te").unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\""), "{answer}");
    healthy(&server);
}

#[test]
fn many_idle_connections_do_not_block_others() {
    let server = RealServer::start(app_with(
        Config {
            header_read_timeout: Duration::from_secs(2),
            ..Config::default()
        },
        0,
    ));
    let idle: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    healthy(&server);
    drop(idle);
}

#[test]
fn graceful_shutdown_returns() {
    let server = RealServer::start(app_with(Config::default(), 0));
    healthy(&server);
    let addr = server.addr;
    let t = Instant::now();
    server.stop();
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err(),
        "still listening"
    );
}
