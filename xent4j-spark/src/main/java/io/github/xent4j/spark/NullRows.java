package io.github.xent4j.spark;

/** What {@link XentEvaluator} does with a row whose logits or label is null. */
public enum NullRows {
    /** Skip the row and count it ({@link ClassifierReport#nullRows()}), as SQL aggregates skip nulls. The default. */
    SKIP,
    /** Fail the evaluation with a {@link BadRowException} naming the column and the row. */
    FAIL
}
