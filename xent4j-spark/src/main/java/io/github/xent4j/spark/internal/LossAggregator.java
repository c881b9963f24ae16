package io.github.xent4j.spark.internal;

import io.github.xent4j.LossSum;
import io.github.xent4j.Reduction;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;

/**
 * The typed Aggregator behind every Column function: one input bean per row, a {@link LossBuffer}
 * of the core's exact pair, and the core's reduction of the merged pair at the end. Not API.
 *
 * @param <IN>  the input bean ({@link FloatsIn}, {@link DoublesIn}, {@link BytesIn}, {@link ScalarIn}, {@link ArraysIn})
 * @param <OUT> Double, or {@link StatsOut}
 */
public final class LossAggregator<IN, OUT> extends Aggregator<IN, LossBuffer, OUT> {

    private static final long serialVersionUID = 1L;

    /** What the aggregate returns. */
    public enum Result { VALUE, PERPLEXITY, STATS }

    private final LossSpec spec;
    private final String function;
    private final Result result;
    private final Encoder<OUT> out;

    private LossAggregator(LossSpec spec, String function, Result result, Encoder<OUT> out) {
        this.spec = spec;
        this.function = function;
        this.result = result;
        this.out = out;
    }

    /** The reduced loss (or its perplexity) as a double. */
    public static <IN> LossAggregator<IN, Double> value(LossSpec spec, String function, boolean perplexity) {
        return new LossAggregator<>(spec, function, perplexity ? Result.PERPLEXITY : Result.VALUE, Encoders.DOUBLE());
    }

    /** The stats struct. */
    public static <IN> LossAggregator<IN, StatsOut> stats(LossSpec spec, String function) {
        return new LossAggregator<>(spec, function, Result.STATS, Encoders.bean(StatsOut.class));
    }

    @Override
    public LossBuffer zero() {
        KernelLog.once();
        return new LossBuffer().bind(spec, function);
    }

    @Override
    public LossBuffer reduce(LossBuffer b, IN row) {
        b.bind(spec, function);
        if (row instanceof FloatsIn r) {
            if (r.getInput() == null || r.getTarget() == null) {
                b.nullRow();
            } else {
                b.add(r.getInput(), classIndex(r.getTarget()));
            }
        } else if (row instanceof DoublesIn r) {
            if (r.getInput() == null || r.getTarget() == null) {
                b.nullRow();
            } else {
                b.add(r.getInput(), classIndex(r.getTarget()));
            }
        } else if (row instanceof BytesIn r) {
            if (r.getInput() == null || r.getTarget() == null) {
                b.nullRow();
            } else {
                b.add(Float32Le.decode(r.getInput(), function), classIndex(r.getTarget()));
            }
        } else if (row instanceof ScalarIn r) {
            if (r.getInput() == null || r.getTarget() == null) {
                b.nullRow();
            } else {
                b.add(r.getInput(), r.getTarget());
            }
        } else {
            ArraysIn r = (ArraysIn) row;
            if (r.getInput() == null || r.getTarget() == null) {
                b.nullRow();
            } else {
                b.add(r.getInput(), r.getTarget());
            }
        }
        return b;
    }

    private int classIndex(long v) {
        if (v != (int) v) {
            throw new IllegalArgumentException("xent4j " + function + ": label=" + v
                    + " must be a class index in [0, C) or ignore_index (it is outside the int range)");
        }
        return (int) v;
    }

    @Override
    public LossBuffer merge(LossBuffer a, LossBuffer b) {
        a.bind(spec, function);
        return a.merge(b);
    }

    @Override
    @SuppressWarnings("unchecked")
    public OUT finish(LossBuffer b) {
        b.bind(spec, function);
        LossSum total = b.finish();
        switch (result) {
            case VALUE:
                return (OUT) Double.valueOf(spec.loss().reduce(total));
            case PERPLEXITY:
                return (OUT) Double.valueOf(Math.exp(spec.loss().reduce(total)));
            default:
                return (OUT) stats(total, b.nullRows, spec.loss().emptyMean());
        }
    }

    static StatsOut stats(LossSum total, long nullRows, io.github.xent4j.EmptyMeanPolicy emptyMean) {
        StatsOut s = new StatsOut();
        s.setLossSum(total.sum());
        s.setWeightSum(total.denominator());
        s.setCount(total.positions());
        s.setIgnored(total.ignored());
        s.setMean(total.value(Reduction.MEAN, emptyMean));
        s.setNullRows(nullRows);
        return s;
    }

    @Override
    public Encoder<LossBuffer> bufferEncoder() {
        return Encoders.javaSerialization(LossBuffer.class);
    }

    @Override
    public Encoder<OUT> outputEncoder() {
        return out;
    }
}
