package io.github.xent4j.internal;

/**
 * An input seen as (outer, classes, inner): (N, C, d1*...*dk) for losses, or the dimensions
 * before, at and after the softmax axis. A position is one (outer, inner) pair.
 */
public record ClassShape(int outer, int classes, int inner, boolean unbatched) {
    public int positions() {
        return outer * inner;
    }
}
