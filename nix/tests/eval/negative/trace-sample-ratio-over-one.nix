# A sample ratio is a share of traces, between 0 and 1. (The ratio is read only
# with a collector, so one is set.)
# expect: services.lookout.user-service.traceSampleRatio' is not of type `integer or floating point number between 0 and 1 (both inclusive)'
let
  ports = builtins.fromJSON (builtins.readFile ../../../ports.json);
in {
  services.lookout.user-service = {
    otlpEndpoint = "http://127.0.0.1:${toString ports.tempo-otlp-http}";
    traceSampleRatio = 1.5;
  };
}
