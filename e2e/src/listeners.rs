//! Which TCP addresses a set of processes listens on, read from the kernel:
//! `/proc/net/tcp` and `/proc/net/tcp6` list every socket with its inode, and
//! `/proc/<pid>/fd` links each open socket of a process to its inode. This shows
//! what is actually bound, whatever flags or defaults produced it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The `st` column value of a listening socket (`TCP_LISTEN`).
const TCP_LISTEN: &str = "0A";

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
    let mut sockets = BTreeMap::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = match std::fs::read_to_string(table) {
            Ok(text) => text,
            // A kernel built or booted without IPv6 has no tcp6 table and no such sockets.
            Err(err) if table.ends_with('6') && err.kind() == std::io::ErrorKind::NotFound => {
                continue;
            }
            Err(err) => return Err(err).with_context(|| format!("reading {table}")),
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            let (Some(local), Some(state), Some(inode)) =
                (fields.get(1), fields.get(3), fields.get(9))
            else {
                bail!("{table}: unexpected line {line:?}");
            };
            if *state != TCP_LISTEN {
                continue;
            }
            let inode: u64 = inode
                .parse()
                .with_context(|| format!("{table}: bad inode in {line:?}"))?;
            let address = parse_proc_address(local)
                .with_context(|| format!("{table}: bad local address in {line:?}"))?;
            sockets.insert(inode, address);
        }
    }
    Ok(sockets)
}

/// Parses `0100007F:1F90` (IPv4) or 32 hex digits `:PORT` (IPv6). The kernel
/// prints the address as 32-bit words in host byte order.
pub fn parse_proc_address(text: &str) -> Result<SocketAddr> {
    let (ip_hex, port_hex) = text.split_once(':').context("no ':' in the address")?;
    let port = u16::from_str_radix(port_hex, 16).context("bad port")?;
    let words = (0..ip_hex.len() / 8)
        .map(|i| {
            let word = ip_hex.get(i * 8..i * 8 + 8).context("short address")?;
            Ok(u32::from_str_radix(word, 16)
                .context("bad address word")?
                .to_ne_bytes())
        })
        .collect::<Result<Vec<[u8; 4]>>>()?;
    let ip = match (ip_hex.len(), words.as_slice()) {
        (8, [word]) => IpAddr::V4(Ipv4Addr::from(*word)),
        (32, words) => {
            let mut octets = [0u8; 16];
            for (chunk, word) in octets.chunks_exact_mut(4).zip(words) {
                chunk.copy_from_slice(word);
            }
            IpAddr::V6(Ipv6Addr::from(octets))
        }
        _ => bail!("address of {} hex digits", ip_hex.len()),
    };
    Ok(SocketAddr::new(ip, port))
}

/// Socket inodes among a process's open file descriptors (`socket:[12345]`).
fn socket_inodes(pid: u32) -> Result<Vec<u64>> {
    let dir = format!("/proc/{pid}/fd");
    let entries = std::fs::read_dir(&dir).with_context(|| format!("listing {dir}"))?;
    Ok(entries
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_str()?;
            target
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect())
}

/// Each given pid → itself plus every process whose process group it leads.
fn process_group_members(pids: &[u32]) -> Result<BTreeMap<u32, BTreeSet<u32>>> {
    let mut members: BTreeMap<u32, BTreeSet<u32>> = pids
        .iter()
        .map(|&pid| (pid, BTreeSet::from([pid])))
        .collect();
    for entry in std::fs::read_dir("/proc").context("listing /proc")? {
        let Some(pid) = entry
            .ok()
            .and_then(|e| e.file_name().to_str()?.parse::<u32>().ok())
        else {
            continue;
        };
        // Processes may exit while we look; an unreadable one is not ours to judge.
        let Ok(stat) =
            std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat"))
        else {
            continue;
        };
        if let Some(group) = process_group(&stat).and_then(|group| members.get_mut(&group)) {
            group.insert(pid);
        }
    }
    Ok(members)
}

/// The process group from `/proc/<pid>/stat`: the third field after the command
/// name, which is in parentheses and may itself contain spaces or parentheses.
fn process_group(stat: &str) -> Option<u32> {
    let (_, after_name) = stat.rsplit_once(')')?;
    after_name.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ipv4_and_ipv6_loopback_and_wildcards() {
        let v4 = parse_proc_address("0100007F:1F90").expect("ipv4");
        assert_eq!(v4, "127.0.0.1:8080".parse().expect("addr"));
        let any = parse_proc_address("00000000:0050").expect("any");
        assert_eq!(any, "0.0.0.0:80".parse().expect("addr"));
        let v6 = parse_proc_address("00000000000000000000000001000000:2383").expect("ipv6");
        assert_eq!(v6, "[::1]:9091".parse().expect("addr"));
        let mapped = parse_proc_address("0000000000000000FFFF00000100007F:0050").expect("mapped");
        assert_eq!(mapped, "[::ffff:127.0.0.1]:80".parse().expect("addr"));
        assert!(parse_proc_address("0100007F").is_err());
        assert!(parse_proc_address("01007F:0050").is_err());
    }

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
    fn process_group_survives_odd_command_names() {
        let stat = "4242 (a (weird) name) S 1 4240 4240 0 -1 4194560";
        assert_eq!(process_group(stat), Some(4240));
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
}
