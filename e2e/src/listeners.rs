//! Which TCP addresses a set of processes listens on, read from the kernel
//! through the `procfs` crate: `/proc/net/tcp` and `/proc/net/tcp6` list every
//! socket with its inode, and `/proc/<pid>/fd` links each open socket of a
//! process to its inode. This shows what is actually bound, whatever flags or
//! defaults produced it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use anyhow::{Context, Result};
use procfs::net::{TcpNetEntry, TcpState};
use procfs::process::{FDTarget, Process};
use procfs::{ProcError, ProcResult};

/// Every listening TCP socket of each given process together with the other
/// processes of its process group (each supervised child leads its own group, so
/// a forked helper is not missed), keyed by the given process id.
pub fn listening_sockets(pids: &[u32]) -> Result<BTreeMap<u32, BTreeSet<SocketAddr>>> {
    let listening = listening_by_inode()?;
    let members = process_group_members(pids)?;
    let mut by_pid = BTreeMap::new();
    for &leader in pids {
        let mut addresses = BTreeSet::new();
        for &pid in members.get(&leader).into_iter().flatten() {
            let inodes = match socket_inodes(pid) {
                Ok(inodes) => inodes,
                // A member found by the scan may have exited since; a given one must not.
                Err(_) if pid != leader => continue,
                Err(err) => return Err(err),
            };
            addresses.extend(inodes.iter().filter_map(|inode| listening.get(inode)));
        }
        by_pid.insert(leader, addresses);
    }
    Ok(by_pid)
}

/// Whether an address is the IPv4 or IPv6 loopback address (an IPv4-mapped
/// `::ffff:127.0.0.1` counts as IPv4 loopback).
pub fn is_loopback_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4 == Ipv4Addr::LOCALHOST,
        IpAddr::V6(v6) => {
            v6 == Ipv6Addr::LOCALHOST || v6.to_ipv4_mapped() == Some(Ipv4Addr::LOCALHOST)
        }
    }
}

/// Inode → local address of every socket in LISTEN state in this network namespace.
fn listening_by_inode() -> Result<BTreeMap<u64, SocketAddr>> {
    let v4 = procfs::net::tcp().context("reading /proc/net/tcp")?;
    let v6 = match procfs::net::tcp6() {
        Ok(entries) => entries,
        // A kernel built or booted without IPv6 has no tcp6 table and no such sockets.
        Err(ProcError::NotFound(_)) => Vec::new(),
        Err(err) => return Err(err).context("reading /proc/net/tcp6"),
    };
    Ok(v4
        .into_iter()
        .chain(v6)
        .filter(|entry: &TcpNetEntry| entry.state == TcpState::Listen)
        .map(|entry| (entry.inode, entry.local_address))
        .collect())
}

/// Socket inodes among a process's open file descriptors (`socket:[12345]`).
fn socket_inodes(pid: u32) -> Result<Vec<u64>> {
    let fds = process(pid)
        .and_then(|process| process.fd())
        .with_context(|| format!("listing /proc/{pid}/fd"))?;
    Ok(fds
        .filter_map(|fd| match fd.ok()?.target {
            FDTarget::Socket(inode) => Some(inode),
            _ => None,
        })
        .collect())
}

fn process(pid: u32) -> ProcResult<Process> {
    let pid = i32::try_from(pid).map_err(|_| ProcError::NotFound(None))?;
    Process::new(pid)
}

/// Each given pid → itself plus every process whose process group it leads.
fn process_group_members(pids: &[u32]) -> Result<BTreeMap<u32, BTreeSet<u32>>> {
    let mut members: BTreeMap<u32, BTreeSet<u32>> = pids
        .iter()
        .map(|&pid| (pid, BTreeSet::from([pid])))
        .collect();
    for process in procfs::process::all_processes().context("listing /proc")? {
        // Processes may exit while we look; an unreadable one is not ours to judge.
        let Ok(stat) = process.and_then(|p| p.stat()) else {
            continue;
        };
        let (Ok(pid), Ok(group)) = (u32::try_from(stat.pid), u32::try_from(stat.pgrp)) else {
            continue;
        };
        if let Some(group) = members.get_mut(&group) {
            group.insert(pid);
        }
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_loopback_addresses_count_as_loopback() {
        for loopback in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
            assert!(
                is_loopback_address(loopback.parse().expect("ip")),
                "{loopback}"
            );
        }
        for public in ["0.0.0.0", "::", "10.0.0.1", "127.0.0.2", "::ffff:0.0.0.0"] {
            assert!(
                !is_loopback_address(public.parse().expect("ip")),
                "{public}"
            );
        }
    }

    #[test]
    fn finds_this_process_listening_on_loopback() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let pid = std::process::id();
        let sockets = listening_sockets(&[pid]).expect("read /proc");
        assert!(
            sockets[&pid].contains(&address),
            "{sockets:?} lacks {address}"
        );
    }

    #[test]
    fn a_wildcard_listener_is_seen_and_is_not_loopback() {
        let listener = std::net::TcpListener::bind("0.0.0.0:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let pid = std::process::id();
        let sockets = listening_sockets(&[pid]).expect("read /proc");
        let found = sockets[&pid]
            .iter()
            .find(|address| address.port() == port)
            .expect("the wildcard listener is listed");
        assert!(!is_loopback_address(found.ip()), "{found}");
    }

    #[test]
    fn an_ipv6_loopback_listener_is_seen_as_loopback() {
        // A machine without IPv6 cannot bind ::1; the IPv4 tests cover it then.
        let Ok(listener) = std::net::TcpListener::bind("[::1]:0") else {
            eprintln!("no IPv6 loopback here: skipped");
            return;
        };
        let address = listener.local_addr().expect("address");
        let pid = std::process::id();
        let sockets = listening_sockets(&[pid]).expect("read /proc");
        assert!(
            sockets[&pid].contains(&address),
            "{sockets:?} lacks {address}"
        );
        assert!(is_loopback_address(address.ip()));
    }

    #[test]
    fn a_forked_group_member_counts_for_its_leader() {
        // `sh` leads a new process group and its background `sleep` joins it.
        use std::os::unix::process::CommandExt;
        let mut leader = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & wait"])
            .process_group(0)
            .spawn()
            .expect("spawn sh");
        let pid = leader.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let members = loop {
            let members = process_group_members(&[pid]).expect("scan /proc");
            if members[&pid].len() > 1 || std::time::Instant::now() > deadline {
                break members;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(i32::try_from(pid).expect("pid")),
            nix::sys::signal::Signal::SIGKILL,
        )
        .ok();
        leader.wait().ok();
        assert_eq!(members[&pid].len(), 2, "{members:?}");
    }
}
