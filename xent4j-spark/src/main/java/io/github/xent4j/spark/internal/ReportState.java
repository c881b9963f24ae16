package io.github.xent4j.spark.internal;

import io.github.xent4j.LossSum;

import java.util.Arrays;

/**
 * What one partition of the evaluator's scan adds up, merged exactly across partitions: the core's
 * {@link LossSum} per class (or one for all rows), integer counts, and {@link FixedSum}s for the
 * metrics that are not losses. Every merge is associative and commutative bit for bit, so the
 * report does not depend on the partitioning. Not API.
 */
public final class ReportState implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    final int[] topK;
    final int bins;
    final boolean perClass;
    final boolean lossOnly;

    /** C, or -1 before the first row. */
    int classes = -1;
    /** The partition and row that fixed C, for the message when partitions disagree. */
    int classesPartition = -1;
    long classesRow = -1;

    long nullRows;
    /** Rows scored (ignored ones included). */
    long rows;

    /** Loss over all rows (lossOnly, or perClass off). */
    LossSum total = LossSum.ZERO;
    /** Loss per class, and of the ignored rows (perClass). */
    LossSum[] byClass;
    LossSum ignoredLoss = LossSum.ZERO;
    /** Plain cross-entropy of binary data when the loss has weights or smoothing: the binary log loss. */
    LossSum plainBinary = LossSum.ZERO;

    long[] count;
    long[] correct;
    long[] topKHits;
    long[] binCount;
    long[] binCorrect;
    FixedSum[] binConfidence;
    FixedSum brier = new FixedSum();

    public ReportState(int[] topK, int bins, boolean perClass, boolean lossOnly) {
        this.topK = topK.clone();
        this.bins = bins;
        this.perClass = perClass;
        this.lossOnly = lossOnly;
        this.topKHits = new long[topK.length];
        this.binCount = new long[bins];
        this.binCorrect = new long[bins];
        this.binConfidence = new FixedSum[bins];
        for (int b = 0; b < bins; b++) {
            binConfidence[b] = new FixedSum();
        }
    }

    /** Fixes C at the first row; the per-class arrays follow. */
    void setClasses(int c, int partition, long row) {
        classes = c;
        classesPartition = partition;
        classesRow = row;
        count = new long[c];
        correct = new long[c];
        if (perClass && !lossOnly) {
            byClass = new LossSum[c];
            Arrays.fill(byClass, LossSum.ZERO);
        }
    }

    /** Adds {@code o} into this state. */
    public ReportState merge(ReportState o) {
        nullRows += o.nullRows;
        rows += o.rows;
        if (o.classes < 0) {
            return this;
        }
        if (classes < 0) {
            setClasses(o.classes, o.classesPartition, o.classesRow);
        } else if (classes != o.classes) {
            throw new io.github.xent4j.spark.BadRowException("logits", -1, o.classesPartition, o.classesRow, -1,
                    o.classes + " elements", "must have " + classes + " elements like every row before it (partition "
                    + classesPartition + ", row " + classesRow + " has " + classes + ")");
        }
        total = total.plus(o.total);
        ignoredLoss = ignoredLoss.plus(o.ignoredLoss);
        plainBinary = plainBinary.plus(o.plainBinary);
        if (byClass != null) {
            for (int c = 0; c < classes; c++) {
                byClass[c] = byClass[c].plus(o.byClass[c]);
            }
        }
        for (int c = 0; c < classes; c++) {
            count[c] += o.count[c];
            correct[c] += o.correct[c];
        }
        for (int k = 0; k < topK.length; k++) {
            topKHits[k] += o.topKHits[k];
        }
        for (int b = 0; b < bins; b++) {
            binCount[b] += o.binCount[b];
            binCorrect[b] += o.binCorrect[b];
            binConfidence[b].add(o.binConfidence[b]);
        }
        brier.add(o.brier);
        return this;
    }

    // ---------------------------------------------------------------- read by the report

    public int classes() {
        return classes;
    }

    public long nullRows() {
        return nullRows;
    }

    public long rows() {
        return rows;
    }

    public int bins() {
        return bins;
    }

    public int[] topK() {
        return topK.clone();
    }

    public boolean lossOnly() {
        return lossOnly;
    }

    /** The loss over every scored row. */
    public LossSum totalLoss() {
        if (byClass == null) {
            return total.plus(ignoredLoss);
        }
        LossSum t = ignoredLoss;
        for (LossSum l : byClass) {
            t = t.plus(l);
        }
        return t;
    }

    /** The loss of class c's rows, or null without per-class sums. */
    public LossSum classLoss(int c) {
        return byClass == null ? null : byClass[c];
    }

    public LossSum ignoredLoss() {
        return ignoredLoss;
    }

    /** The plain cross-entropy of binary data: the loss itself when it is plain. */
    public LossSum binaryLogLoss(boolean lossIsPlain) {
        return lossIsPlain ? totalLoss() : plainBinary;
    }

    public long count(int c) {
        return count[c];
    }

    public long correct(int c) {
        return correct[c];
    }

    public long topKHits(int i) {
        return topKHits[i];
    }

    public long binCount(int b) {
        return binCount[b];
    }

    public long binCorrect(int b) {
        return binCorrect[b];
    }

    public double binConfidenceSum(int b) {
        return binConfidence[b].value();
    }

    public double brierSum() {
        return brier.value();
    }
}
