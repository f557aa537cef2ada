# The values a VM test script gets from Nix, as typed Python assignments
# prepended to the script (builtins only, so `cargo xtask vm-lint` can read the
# names and types with nix-instantiate without evaluating any NixOS node).
#
# A test's values are an attribute set of `str value`, `int value` or
# `strList value`. `render` turns it into Python assignments, checking each
# value against its declared type; `declarations` gives the same names with
# their Python types and a placeholder of that type, which never forces a value.
let
  typed = type: placeholder: check: value: {
    inherit type placeholder;
    value =
      if check value
      then value
      else throw "preamble: ${builtins.toJSON value} is not a ${type}";
  };
  allStrings = list: builtins.isList list && builtins.all builtins.isString list;
  # JSON strings, integers and lists of strings are Python literals as well.
  # Annotated like the stand-ins: the driver runs mypy on the rendered values,
  # and an unannotated empty list fails it ("Need type annotation").
  line = values: name: "${name}: ${values.${name}.type} = ${builtins.toJSON values.${name}.value}\n";
  # A typed stand-in with the same name and type, for the linters.
  declaration = values: name: "${name}: ${values.${name}.type} = ${values.${name}.placeholder}\n";
  each = f: values: builtins.concatStringsSep "" (map (f values) (builtins.attrNames values));
  render = each line;
in {
  str = typed "str" "\"\"" builtins.isString;
  int = typed "int" "0" builtins.isInt;
  strList = typed "list[str]" "[]" allStrings;

  inherit render;
  declarations = each declaration;

  # A test's whole script (an entry of scripts.nix): its values, then its files.
  script = spec: args:
    render (import spec.values args)
    + builtins.concatStringsSep "" (map builtins.readFile spec.files);
}
