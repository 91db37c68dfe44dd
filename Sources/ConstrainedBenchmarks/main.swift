import Constrained
print("benchmarks: see issue 2")
