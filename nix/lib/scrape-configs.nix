# Prometheus scrape_config entries for lookout's jobs, one per job, with the job
# named after the service (the naming chain: crate = unit = job = dashboard filter).
# Pure: builtins only, so `nix-instantiate --eval --strict --json` renders it
# without nixpkgs, and the NixOS module feeds the same entries to
# `services.prometheus.scrapeConfigs`.
#
# Arguments:
#   targets        attrset: job name -> list of "host:port" strings to scrape,
#                  e.g. { user-service = [ "127.0.0.1:8001" ]; }. A job with an
#                  empty list is left out (Prometheus rejects nothing, but an
#                  empty job only adds noise to the targets page).
#   scrapeInterval null (the global interval applies) or a duration such as "15s".
#   scrapeTimeout  null (the global timeout applies) or a duration, at most the interval.
#   labels         attrset of extra target labels for every job (e.g. { env = "demo"; }).
#
# Result: a list of attrsets sorted by job_name, each
#   { job_name; static_configs = [ { targets; labels; } ]; } plus scrape_interval /
#   scrape_timeout when given. Every service serves /metrics, the Prometheus default
#   metrics_path, so none is written.
{
  targets,
  scrapeInterval ? null,
  scrapeTimeout ? null,
  labels ? {},
}: let
  # Null settings are left out rather than written as null: Prometheus and the
  # typed NixOS scrape_config both read a missing key as "use the default".
  optional = name: value:
    if value == null
    then {}
    else {${name} = value;};

  scrapeConfig = jobName:
    {
      job_name = jobName;
      static_configs = [
        {
          targets = targets.${jobName};
          inherit labels;
        }
      ];
    }
    // optional "scrape_interval" scrapeInterval
    // optional "scrape_timeout" scrapeTimeout;

  nonEmptyJobs = builtins.filter (jobName: targets.${jobName} != []) (builtins.attrNames targets);
in
  map scrapeConfig nonEmptyJobs
