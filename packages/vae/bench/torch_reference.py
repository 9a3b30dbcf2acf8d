"""Opens the reference pipeline (shared/reference/pipeline.py) for the bench's Python scripts
with a pinned thread count: the reference's training is reproducible only at a fixed count.

Import it, and call open_reference, before anything that imports numpy or torch: the BLAS
libraries read their thread count from the environment when they load.
"""
import os
import sys

# The shared folder beside the repository: <repo>/../shared/reference.
DEFAULT_REFERENCE = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/reference"))


def open_reference(threads, reference=None):
    """(pipeline module, reference folder): torch and its BLAS libraries limited to `threads`,
    then the reference's pipeline.py imported from `reference` (default: the shared folder)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    import torch

    torch.set_num_threads(threads)
    reference = reference or DEFAULT_REFERENCE
    sys.path.insert(0, reference)
    import pipeline

    return pipeline, reference
