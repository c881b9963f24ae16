package io.github.xent4j.spark.internal;

import io.github.xent4j.EmptyMeanPolicy;
import io.github.xent4j.LossSum;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;

/**
 * Re-aggregates crossEntropyStats structs: each one back to the core's pair with
 * {@code LossSum.of}, merged exactly (from those doubles on), never an average of means. Not API.
 */
public final class MergeStats extends Aggregator<StatsIn, LossBuffer, StatsOut> {

    private static final long serialVersionUID = 1L;

    @Override
    public LossBuffer zero() {
        return new LossBuffer();
    }

    @Override
    public LossBuffer reduce(LossBuffer b, StatsIn s) {
        if (s.getLossSum() == null || s.getWeightSum() == null || s.getCount() == null || s.getIgnored() == null) {
            b.nullRows++;
            return b;
        }
        b.total = b.total.plus(LossSum.of(s.getLossSum(), s.getWeightSum(), s.getCount(), s.getIgnored()));
        b.nullRows += s.getNullRows() == null ? 0 : s.getNullRows();
        return b;
    }

    @Override
    public LossBuffer merge(LossBuffer a, LossBuffer b) {
        a.total = a.total.plus(b.total);
        a.nullRows += b.nullRows;
        return a;
    }

    @Override
    public StatsOut finish(LossBuffer b) {
        return LossAggregator.stats(b.total, b.nullRows, EmptyMeanPolicy.NAN);
    }

    @Override
    public Encoder<LossBuffer> bufferEncoder() {
        return Encoders.javaSerialization(LossBuffer.class);
    }

    @Override
    public Encoder<StatsOut> outputEncoder() {
        return Encoders.bean(StatsOut.class);
    }
}
