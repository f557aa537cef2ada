from collections.abc import Callable

from test_driver.logger import AbstractLogger

class PollingConditionError(Exception): ...

class PollingCondition:
    seconds_interval: float
    description: str | None
    def __init__(
        self,
        condition: Callable[[], bool | None],
        logger: AbstractLogger,
        seconds_interval: float = 2.0,
        description: str | None = None,
    ) -> None: ...
    def check(self, force: bool = False) -> bool: ...
    def maybe_raise(self) -> None: ...
