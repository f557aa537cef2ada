# The command-line flags that make one Alertmanager a peer of a gossip cluster
# (Alertmanager 0.25 has no config-file setting for them). Pure: builtins only,
# so the NixOS module (through `services.prometheus.alertmanager.extraFlags`)
# and the host end-to-end test start the peers with the same flags.
#
# Arguments:
#   listenAddress    "host:port" this peer gossips on (TCP and UDP), or null for
#                    a single Alertmanager: then the one flag is
#                    `--cluster.listen-address=` (clustering off; Alertmanager
#                    would otherwise listen on 0.0.0.0:9094 by default).
#                    Give a concrete address, never 0.0.0.0: with a wildcard
#                    Alertmanager guesses a private IP to advertise.
#   peers            "host:port" gossip addresses of every peer of the cluster.
#                    This peer's own address may be in the list (one list for
#                    every host); it is left out of its flags.
#   advertiseAddress "host:port" other peers reach this one at, when it differs
#                    from listenAddress (NAT); null advertises listenAddress.
#   peerTimeout      null (Alertmanager's 15s) or a duration: how long the peer
#                    at position n waits (n times this) before it notifies, to
#                    see in the gossiped notification log that a peer before it
#                    already did. Every peer must use the same value.
#   settleTimeout    null (Alertmanager's 1m) or a duration: the longest a
#                    starting peer waits for the gossip to settle before its
#                    first notification.
#
# Result: a list of flags, each one "--name=value" element.
{
  listenAddress ? null,
  peers ? [],
  advertiseAddress ? null,
  peerTimeout ? null,
  settleTimeout ? null,
}: let
  optional = name: value:
    if value == null
    then []
    else ["--${name}=${value}"];
  otherPeers = builtins.filter (peer: peer != listenAddress) peers;
in
  if listenAddress == null
  then
    if peers != []
    then throw "alertmanager-cluster-flags: peers given but no listenAddress (clustering is off without one)"
    else ["--cluster.listen-address="]
  else
    ["--cluster.listen-address=${listenAddress}"]
    ++ optional "cluster.advertise-address" advertiseAddress
    ++ map (peer: "--cluster.peer=${peer}") otherPeers
    ++ optional "cluster.peer-timeout" peerTimeout
    ++ optional "cluster.settle-timeout" settleTimeout
