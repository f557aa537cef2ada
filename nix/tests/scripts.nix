# Each VM test's script, defined once: the file of the values it takes from Nix
# (rendered by preamble.nix) and its Python files, in the order the driver runs
# them. The tests build their testScript from here, and `cargo xtask vm-lint`
# checks the same files (through lint.nix).
{
  stack = {
    test = ./stack.nix;
    values = ./stack-preamble.nix;
    files = [./helpers.py ./stack.py];
  };
  multi-host = {
    test = ./multi-host.nix;
    values = ./multi-host-preamble.nix;
    files = [./helpers.py ./multi-host.py];
  };
  demo = {
    test = ./demo.nix;
    values = ./demo-preamble.nix;
    files = [./helpers.py ./demo.py];
  };
  ha = {
    test = ./ha.nix;
    values = ./ha-preamble.nix;
    files = [./helpers.py ./ha.py];
  };
  tracing = {
    test = ./tracing.nix;
    values = ./tracing-preamble.nix;
    files = [./helpers.py ./tracing.py];
  };
}
