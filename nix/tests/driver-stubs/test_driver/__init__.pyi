# The driver package; see ../README.md for the upstream source of each stub.
