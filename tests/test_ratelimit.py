from krsd.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_limit_holds_per_key_and_frees_up_after_the_window():
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 60, clock=clock)
    assert [limiter.hit("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("b")
    clock.now += 59
    assert not limiter.hit("a")
    clock.now += 1.5
    assert limiter.hit("a")
