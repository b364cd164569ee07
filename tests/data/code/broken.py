def fine(a, b):
    return a + b


def broken(x:
    if x > 1
        return x * 2
    return [1, 2,


class Still:
    def works(self):
        return "yes"
