# The globals the driver gives every test script, with their types, for mypy.
# `cargo xtask vm-lint` puts this first in the file it type-checks, as the
# driver's own build puts its type hints before the script. The names are the
# keys of Driver.test_symbols in test_driver/driver.py (see README.md); the
# bound methods take their exact signatures from the stubs.
import os as os
from collections.abc import Callable
from contextlib import AbstractContextManager

from test_driver.debug import DebugAbstract
from test_driver.driver import AssertionTester, Driver
from test_driver.logger import AbstractLogger
from test_driver.machine import BaseMachine as BaseMachine
from test_driver.machine import NspawnMachine, QemuMachine
from test_driver.machine import retry as retry
from test_driver.vlan import VLan

driver: Driver
start_all = driver.start_all
test_script = driver.test_script
machines_qemu: list[QemuMachine]
machines_nspawn: list[NspawnMachine]
vlans: list[VLan]
log: AbstractLogger
create_machine = driver.create_machine
# test_symbols wraps Driver.subtest in contextlib.contextmanager.
subtest: Callable[[str], AbstractContextManager[None]]
run_tests = driver.run_tests
join_all = driver.join_all
serial_stdout_off = driver.serial_stdout_off
serial_stdout_on = driver.serial_stdout_on
polling_condition = driver.polling_condition
t: AssertionTester
debug: DebugAbstract
