package io.github.xent4j.spark.internal;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.LossSum;
import io.github.xent4j.Softmax;
import io.github.xent4j.spark.BadRowException;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.catalyst.InternalRow;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;

/**
 * The evaluator's scan of one partition: rows of (logits, label) as {@link InternalRow}s, read in
 * place into a reused block (no boxing, no per-row allocation), scored by the core's
 * cross-entropy one block at a time.
 *
 * <p>Per block: rows go to one bucket per class (and one for ignored rows); each bucket is one
 * {@code partial} call of the core, so the loss of each class is the core's exact {@link LossSum}
 * of its rows, and the total is their exact sum. The core's softmax of the same rows gives the
 * metrics that are not losses (accuracy, top-k, calibration, Brier). Which rows are valid is the
 * core's call: a label that is neither a class nor ignore_index is handed to the core alone, and
 * its message comes back with the row's position. Not API.
 */
public final class PartitionScan implements Function2<Integer, Iterator<InternalRow>, Iterator<ReportState>> {

    private static final long serialVersionUID = 1L;

    /** Elements per block: large enough that per-call costs vanish at small C, small enough for the cache at large C. */
    static final int BLOCK_ELEMENTS = 1 << 16;
    /**
     * Per-class sums: a block holds at least this many rows per class on average (each class is one
     * call of the core per block, and a call on one row costs a few times the row's compute), up to
     * {@link #MAX_BLOCK_ELEMENTS}.
     */
    static final int ROWS_PER_CLASS = 16;
    static final int MAX_BLOCK_ELEMENTS = 1 << 23;

    private final ArrayColumn logits;
    private final LabelColumn label;
    private final String logitsName;
    private final String labelName;
    private final LossSpec spec;
    private final boolean failOnNull;
    private final boolean probabilities;
    private final int[] topK;
    private final int bins;
    private final boolean perClass;
    private final boolean lossOnly;

    public PartitionScan(ArrayColumn logits, LabelColumn label, String logitsName, String labelName, LossSpec spec,
                         boolean failOnNull, boolean probabilities, int[] topK, int bins, boolean perClass,
                         boolean lossOnly) {
        this.logits = logits;
        this.label = label;
        this.logitsName = logitsName;
        this.labelName = labelName;
        this.spec = spec;
        this.failOnNull = failOnNull;
        this.probabilities = probabilities;
        this.topK = topK.clone();
        this.bins = bins;
        this.perClass = perClass;
        this.lossOnly = lossOnly;
    }

    @Override
    public Iterator<ReportState> call(Integer partition, Iterator<InternalRow> rows) {
        KernelLog.once();
        return Collections.singletonList(new Run(partition).scan(rows)).iterator();
    }

    /** The state of one partition's scan. */
    private final class Run {
        final int partition;
        final CrossEntropyLoss loss = (CrossEntropyLoss) spec.loss();
        final ReportState state = new ReportState(topK, bins, perClass, lossOnly);
        final int ignoreIndex = spec.ignoreIndex();
        int classes = -1;
        int capacity;
        float[] fx;
        double[] dx;
        int[] y;
        long[] rowOf;
        int n;

        Run(int partition) {
            this.partition = partition;
        }

        ReportState scan(Iterator<InternalRow> it) {
            long r = -1;
            while (it.hasNext()) {
                InternalRow row = it.next();
                r++;
                if (row.isNullAt(0) || row.isNullAt(1)) {
                    if (failOnNull) {
                        throw new BadRowException(row.isNullAt(0) ? logitsName : labelName, -1, partition, r, -1,
                                "null", "must not be null (nullRows=FAIL)");
                    }
                    state.nullRows++;
                    continue;
                }
                int target;
                int len;
                try {
                    target = label.read(row, 1);
                } catch (LabelColumn.NotAnInt e) {
                    throw new BadRowException(labelName, -1, partition, r, -1, e.value, "must be an integer class index");
                }
                try {
                    len = logits.length(row, 0);
                } catch (ArrayColumn.Malformed e) {
                    throw new BadRowException(logitsName, -1, partition, r, -1, e.value, e.requirement);
                }
                if (classes < 0) {
                    start(len, r);
                } else if (len != classes) {
                    throw new BadRowException(logitsName, -1, partition, r, -1, len + " elements",
                            "must have " + classes + " elements like every row before it (row " + state.classesRow
                                    + " of this partition has " + classes + ")");
                }
                try {
                    if (fx != null) {
                        logits.read(row, 0, fx, n * classes);
                    } else {
                        logits.read(row, 0, dx, n * classes);
                    }
                } catch (ArrayColumn.NullElement e) {
                    throw new BadRowException(logitsName, -1, partition, r, e.element, "null",
                            "must not be null (every element of every row is read)");
                } catch (ArrayColumn.Malformed e) {
                    throw new BadRowException(logitsName, -1, partition, r, -1, e.value, e.requirement);
                }
                if (probabilities) {
                    toLog(n * classes);
                }
                y[n] = target;
                rowOf[n] = r;
                state.rows++;
                if (++n == capacity) {
                    flush();
                }
            }
            flush();
            return state;
        }

        void start(int c, long r) {
            classes = c;
            state.setClasses(c, partition, r);
            int w = Math.max(1, c);
            capacity = Math.max(1, BLOCK_ELEMENTS / w);
            if (perClass && !lossOnly) {
                capacity = (int) Math.max(capacity, Math.min((long) ROWS_PER_CLASS * w, MAX_BLOCK_ELEMENTS / w));
            }
            if (logits.floats()) {
                fx = new float[capacity * c];
            } else {
                dx = new double[capacity * c];
            }
            y = new int[capacity];
            rowOf = new long[capacity];
        }

        /** Probabilities to log-probabilities, the logits whose softmax they are. */
        void toLog(int off) {
            for (int i = off, e = off + classes; i < e; i++) {
                if (fx != null) {
                    fx[i] = (float) Math.log(fx[i]);
                } else {
                    dx[i] = Math.log(dx[i]);
                }
            }
        }

        void flush() {
            if (n == 0) {
                return;
            }
            if (lossOnly) {
                state.total = state.total.plus(partial(0, n, null));
            } else if (!perClass) {
                state.total = state.total.plus(gatherRange(0, n).lossAndMetrics());
            } else {
                byClass();
            }
            n = 0;
        }

        /** The rows of the block by bucket (class, then ignored), each bucket one call of the core. */
        void byClass() {
            int c = classes;
            int[] start = new int[c + 2];
            for (int i = 0; i < n; i++) {
                start[bucket(i) + 1]++;
            }
            for (int b = 0; b <= c; b++) {
                start[b + 1] += start[b];
            }
            int[] order = new int[n];
            int[] fill = Arrays.copyOf(start, c + 1);
            for (int i = 0; i < n; i++) {
                order[fill[bucket(i)]++] = i;
            }
            for (int b = 0; b <= c; b++) {
                int from = start[b];
                int to = start[b + 1];
                if (from == to) {
                    continue;
                }
                int[] rowsOfBucket = Arrays.copyOfRange(order, from, to);
                if (b == c) {
                    state.ignoredLoss = state.ignoredLoss.plus(partial(0, 0, rowsOfBucket));
                    continue;
                }
                Gathered g = gather(rowsOfBucket);
                state.byClass[b] = state.byClass[b].plus(g.lossAndMetrics());
            }
        }

        /** The bucket of row i: its class, C for ignored rows; a label the core rejects throws here. */
        int bucket(int i) {
            int t = y[i];
            if (t == ignoreIndex) {
                return classes;
            }
            if (t >= 0 && t < classes) {
                return t;
            }
            gather(new int[] {i}).partial(loss);   // the core's verdict on this label, with its message
            throw new IllegalStateException("the core accepted label " + t + " outside [0, " + classes + ")");
        }

        /** The core's pair of rows [from, to) of the block, or of the listed rows. */
        LossSum partial(int from, int to, int[] rows) {
            return (rows == null ? gatherRange(from, to) : gather(rows)).partial(loss, null, null);
        }

        Gathered gatherRange(int from, int to) {
            int m = to - from;
            int c = classes;
            if (from == 0 && m == capacity) {
                return new Gathered(fx, dx, y, rowOf, m);
            }
            return new Gathered(fx == null ? null : Arrays.copyOfRange(fx, from * c, to * c),
                    dx == null ? null : Arrays.copyOfRange(dx, from * c, to * c),
                    Arrays.copyOfRange(y, from, to), Arrays.copyOfRange(rowOf, from, to), m);
        }

        Gathered gather(int[] rows) {
            int m = rows.length;
            int c = classes;
            float[] gf = fx == null ? null : new float[m * c];
            double[] gd = dx == null ? null : new double[m * c];
            int[] gy = new int[m];
            long[] gr = new long[m];
            for (int k = 0; k < m; k++) {
                int i = rows[k];
                if (gf != null) {
                    System.arraycopy(fx, i * c, gf, k * c, c);
                } else {
                    System.arraycopy(dx, i * c, gd, k * c, c);
                }
                gy[k] = y[i];
                gr[k] = rowOf[i];
            }
            return new Gathered(gf, gd, gy, gr, m);
        }

        /** Rows laid out as the core takes them: exactly (m, C). */
        final class Gathered {
            final float[] f;
            final double[] d;
            final int[] t;
            final long[] rowIndex;
            final int m;
            final int[] shape;

            Gathered(float[] f, double[] d, int[] t, long[] rowIndex, int m) {
                this.f = f;
                this.d = d;
                this.t = t;
                this.rowIndex = rowIndex;
                this.m = m;
                this.shape = new int[] {m, classes};
            }

            LossSum partial(CrossEntropyLoss l) {
                return partial(l, null, null);
            }

            /** The core's pair, with its gradient at scale 1 into gf/gd when given. */
            LossSum partial(CrossEntropyLoss l, float[] gf, double[] gd) {
                try {
                    return f != null ? l.partial(f, shape, t, 1.0, null, null, gf)
                            : l.partial(d, shape, t, 1.0, null, null, gd);
                } catch (InvalidInputException e) {
                    if ("target".equals(e.argument()) && e.index() >= 0 && e.index() < m) {
                        throw new BadRowException(labelName, -1, partition, rowIndex[(int) e.index()], -1, e.value(),
                                e.requirement());
                    }
                    throw new IllegalArgumentException("xent4j evaluator, column " + logitsName + ": " + e.getMessage(), e);
                }
            }

            /**
             * The loss of these rows and their metrics. With a plain loss (no weights, no smoothing) one
             * pass of the core gives both: its gradient at scale 1 is p - onehot(label), so
             * p_c = grad_c + [c == label] and the Brier term is sum_c grad_c^2. Otherwise the
             * probabilities are the core's softmax of the same rows.
             */
            LossSum lossAndMetrics() {
                int c = classes;
                boolean plain = spec.plain();
                float[] pf = f != null ? new float[m * c] : null;
                double[] pd = f == null ? new double[m * c] : null;
                LossSum part;
                if (plain) {
                    part = partial(loss, pf, pd);
                } else {
                    part = partial(loss, null, null);
                    if (c == 2) {
                        state.plainBinary = state.plainBinary.plus(partial(CrossEntropyLoss.DEFAULTS, null, null));
                    }
                    if (f != null) {
                        Softmax.DEFAULTS.softmax(f, shape, 1, pf);
                    } else {
                        Softmax.DEFAULTS.softmax(d, shape, 1, pd);
                    }
                }
                metrics(pf, pd, plain);
                return part;
            }

            /** p from the softmax, or (gradient) p - onehot. */
            void metrics(float[] pf, double[] pd, boolean gradient) {
                int c = classes;
                for (int r = 0; r < m; r++) {
                    int target = t[r];
                    if (target == ignoreIndex) {
                        continue;
                    }
                    int base = r * c;
                    double xy = x(base + target);
                    int best = 0;
                    double bestX = x(base);
                    int above = 0;
                    double sq = 0;
                    for (int k = 0; k < c; k++) {
                        double xk = x(base + k);
                        if (xk > bestX) {
                            bestX = xk;
                            best = k;
                        }
                        if (xk > xy || (xk == xy && k < target)) {
                            above++;
                        }
                        double v = pf != null ? pf[base + k] : pd[base + k];
                        double e = gradient ? v : v - (k == target ? 1 : 0);
                        sq += e * e;
                    }
                    boolean hit = best == target;
                    state.count[target]++;
                    if (hit) {
                        state.correct[target]++;
                    }
                    for (int k = 0; k < topK.length; k++) {
                        if (above < topK[k]) {
                            state.topKHits[k]++;
                        }
                    }
                    double conf = pf != null ? pf[base + best] : pd[base + best];
                    if (gradient && best == target) {
                        conf += 1;
                    }
                    int bin = conf > 0 ? Math.min(bins - 1, (int) Math.ceil(conf * bins) - 1) : 0;
                    state.binCount[bin]++;
                    state.binConfidence[bin].add(conf);
                    if (hit) {
                        state.binCorrect[bin]++;
                    }
                    state.brier.add(sq);
                }
            }

            double x(int i) {
                return f != null ? f[i] : d[i];
            }
        }
    }
}
