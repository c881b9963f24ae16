package io.github.xent4j.spark.internal;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.catalyst.InternalRow;
import scala.Tuple2;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The exact ROC AUC of binary data (C = 2), computed aside from the evaluator's one scan: it needs
 * the order of all scores, so it takes a second scan and a sort. The score of a row is its logit
 * margin x1 - x0 (log p1 - log p0 for probabilities), which orders rows as p1 does without
 * rounding ties into existence. Ties count one half:
 * <pre>{@code
 * AUC = ( sum over positives of #(negatives scored lower) + #(negatives scored equal) / 2 ) / (P * N)
 * }</pre>
 * The counts are integers, so the result is the same for any partitioning. Not API.
 */
public final class BinaryAuc {

    private BinaryAuc() {
    }

    /** The AUC over the rows of {@code rdd} (columns: logits, label); NaN without both classes or with a NaN score. */
    public static double of(JavaRDD<InternalRow> rdd, ArrayColumn logits, LabelColumn label, int ignoreIndex,
                            boolean probabilities) {
        JavaPairRDD<Double, long[]> scored = rdd.mapPartitionsToPair(it -> {
            List<Tuple2<Double, long[]>> out = new ArrayList<>();
            float[] f = new float[2];
            double[] d = new double[2];
            while (it.hasNext()) {
                InternalRow row = it.next();
                if (row.isNullAt(0) || row.isNullAt(1)) {
                    continue;
                }
                int y = label.read(row, 1);
                if (y == ignoreIndex) {
                    continue;
                }
                double x0;
                double x1;
                if (logits.floats()) {
                    logits.read(row, 0, f, 0);
                    x0 = f[0];
                    x1 = f[1];
                } else {
                    logits.read(row, 0, d, 0);
                    x0 = d[0];
                    x1 = d[1];
                }
                double score = probabilities ? Math.log(x1) - Math.log(x0) : x1 - x0;
                out.add(new Tuple2<>(score + 0.0, y == 1 ? new long[] {0, 1} : new long[] {1, 0}));   // + 0.0: -0.0 is 0.0
            }
            return out.iterator();
        });
        List<Object[]> parts = scored.reduceByKey((a, b) -> new long[] {a[0] + b[0], a[1] + b[1]})
                .sortByKey(true)
                .mapPartitions(it -> {
                    long neg = 0;
                    long pos = 0;
                    BigInteger twice = BigInteger.ZERO;   // sum of pos_g * (2 * negBefore + neg_g) within the partition
                    boolean nan = false;
                    while (it.hasNext()) {
                        Tuple2<Double, long[]> g = it.next();
                        nan |= g._1().isNaN();
                        long ng = g._2()[0];
                        long pg = g._2()[1];
                        if (pg != 0) {
                            twice = twice.add(BigInteger.valueOf(pg).multiply(
                                    BigInteger.valueOf(neg).shiftLeft(1).add(BigInteger.valueOf(ng))));
                        }
                        neg += ng;
                        pos += pg;
                    }
                    Object[] r = {neg, pos, nan, twice};
                    return Collections.singletonList(r).iterator();
                }).collect();
        // partitions come back in key order: each one's negatives precede the next one's positives
        BigInteger twice = BigInteger.ZERO;
        long negBefore = 0;
        long pos = 0;
        for (Object[] p : parts) {
            long pn = (Long) p[0];
            long pp = (Long) p[1];
            if ((Boolean) p[2]) {
                return Double.NaN;
            }
            twice = twice.add((BigInteger) p[3]).add(BigInteger.valueOf(pp).multiply(BigInteger.valueOf(negBefore)).shiftLeft(1));
            negBefore += pn;
            pos += pp;
        }
        if (pos == 0 || negBefore == 0) {
            return Double.NaN;
        }
        return new java.math.BigDecimal(twice).divide(new java.math.BigDecimal(
                BigInteger.valueOf(pos).multiply(BigInteger.valueOf(negBefore)).shiftLeft(1)), java.math.MathContext.DECIMAL128)
                .doubleValue();
    }
}
