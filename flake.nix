{
  description = "lookout: instrumented Rust microservices with Prometheus, Alertmanager and Grafana, as NixOS modules";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
    # crane has no inputs of its own, so there is nothing to follow.
    crane.url = "github:ipetkov/crane/v0.23.4";
  };

  # Only wiring lives here; everything it wires is in nix/.
  outputs = {
    self,
    nixpkgs,
    crane,
  }: let
    inherit (nixpkgs) lib;
    # The services, their modules and the VM tests are Linux-only.
    systems = ["x86_64-linux" "aarch64-linux"];
    eachSystem = f: lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});

    build = eachSystem (_: pkgs: import ./nix/packages.nix {inherit pkgs crane;});

    services = builtins.attrNames (import ./nix/services.nix);

    # A service's module, its package defaulting to this flake's build for the host's
    # platform; the key makes the module system import it once, whoever imports it.
    serviceModule = name: {
      key = "lookout#nixosModules.${name}";
      imports = [
        ./nix/modules/${name}.nix
        ({pkgs, ...}: {
          services.lookout.${name}.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.${name};
        })
      ];
    };

    # A NixOS system made of every module of this flake and one of nix/hosts/.
    # The platform is set here, not in the host file, because the demo VM test
    # imports the same host file into a test node, where nixpkgs.* is read-only.
    host = name: system:
      lib.nixosSystem {
        modules = [
          self.nixosModules.default
          ./nix/hosts/${name}.nix
          {nixpkgs.hostPlatform = system;}
        ];
      };
  in {
    packages = eachSystem (system: _:
      build.${system}.binaries
      // {
        default = build.${system}.all;
        # The demo VM for this platform: `nix run .#vm`.
        vm = (host "vm" system).config.system.build.vm;
      });

    apps = eachSystem (system: _: {
      vm = {
        type = "app";
        program = lib.getExe self.packages.${system}.vm;
        meta.description = "Boot the lookout demo VM (Grafana, Prometheus, Alertmanager and the services, with traffic)";
      };
    });

    checks = eachSystem (system: pkgs:
      import ./nix/checks.nix {
        inherit pkgs self;
        build = build.${system};
      });

    devShells = eachSystem (system: pkgs: {
      default = import ./nix/devshell.nix {
        inherit pkgs;
        build = build.${system};
      };
    });

    formatter = eachSystem (_: pkgs: pkgs.alejandra);

    nixosModules =
      lib.genAttrs services serviceModule
      // {
        # The stack reads the services' options (which are enabled, their ports),
        # so it brings their modules along; it enables none of them.
        monitoring = {
          key = "lookout#nixosModules.monitoring";
          imports = [./nix/modules/monitoring.nix] ++ map serviceModule services;
        };
        default.imports = map (name: self.nixosModules.${name}) (services ++ ["monitoring"]);
      };

    nixosConfigurations = {
      # The demo of `nix run .#vm`, also booted by the vm-demo check.
      vm = host "vm" "x86_64-linux";
      # The host a user copies for `nixos-rebuild switch --flake .#example-host`.
      example-host = host "example-host" "x86_64-linux";
    };
  };
}
