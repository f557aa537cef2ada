# Scenario 3: the demo VM of `nix run .#vm` boots. The node is the
# nixosConfigurations.vm system itself (the flake's modules plus nix/hosts/vm.nix),
# so this check breaks whenever `nix run .#vm` would: every unit starts, the
# admin password is made at first boot and shown on the console, the traffic
# generator produces data, and the main queries of the services dashboard
# return data through Grafana within a minute.
{
  self,
  lib,
  ...
}: let
  preamble = import ./preamble.nix;
in {
  name = "lookout-demo";

  nodes.vm = {
    imports = [self.nixosModules.default ../hosts/vm.nix];
    # What the host file gives the VM build (virtualisation.vmVariant), which a
    # test node does not read: the memory, and no graphics, which also makes the
    # serial port (the driver's console) the kernel's primary console.
    virtualisation.memorySize = 2048;
    virtualisation.graphics = false;
  };

  # The script is demo.py, after the values it takes from the node's options
  # and the services dashboard (demo-preamble.nix) and the shared helpers.
  # scripts.nix lists the files; `cargo xtask vm-lint` checks the same ones.
  testScript = {nodes, ...}: preamble.script (import ./scripts.nix).demo {inherit lib nodes;};
}
