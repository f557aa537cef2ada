from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from unittest import TestCase

from test_driver.debug import DebugAbstract
from test_driver.logger import AbstractLogger
from test_driver.machine import BaseMachine, NspawnMachine, QemuMachine
from test_driver.polling_condition import PollingCondition
from test_driver.vlan import VLan

class AssertionTester(TestCase): ...

class Driver:
    tests: str
    vlans: list[VLan]
    machines_qemu: list[QemuMachine]
    machines_nspawn: list[NspawnMachine]
    polling_conditions: list[PollingCondition]
    global_timeout: int
    logger: AbstractLogger
    debug: DebugAbstract
    out_dir: Path
    @property
    def machines(self) -> list[QemuMachine | NspawnMachine]: ...
    # A plain generator here; test_symbols wraps it with contextmanager.
    def subtest(self, name: str) -> Iterator[None]: ...
    def test_symbols(self) -> dict[str, Any]: ...
    def test_script(self) -> None: ...
    def run_tests(self) -> None: ...
    def start_all(self) -> None: ...
    def join_all(self) -> None: ...
    def terminate_test(self) -> None: ...
    def create_machine(
        self,
        start_command: str,
        *,
        name: str | None = None,
        keep_machine_state: bool = False,
    ) -> BaseMachine: ...
    def serial_stdout_on(self) -> None: ...
    def serial_stdout_off(self) -> None: ...
    def check_polling_conditions(self) -> None: ...
    def polling_condition(
        self,
        fun_: Callable[..., Any] | None = None,
        *,
        seconds_interval: float = 2.0,
        description: str | None = None,
    ) -> Callable[[Callable[..., Any]], AbstractContextManager[Any]] | AbstractContextManager[Any]: ...
