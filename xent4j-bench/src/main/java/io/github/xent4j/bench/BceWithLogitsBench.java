package io.github.xent4j.bench;

import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.Reduction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** BCE with logits, float32, MEAN, no weights: forward and forward+backward into a reused buffer. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class BceWithLogitsBench {

    @Param({"65536x100"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    float[] logits;
    float[] target;
    float[] grad;
    int[] dims;
    BceWithLogitsLoss loss;

    @Setup
    public void setup() {
        String[] nc = shape.split("x");
        dims = new int[] {Integer.parseInt(nc[0]), Integer.parseInt(nc[1])};
        int len = dims[0] * dims[1];
        Random r = new Random(42);
        logits = new float[len];
        target = new float[len];
        for (int i = 0; i < len; i++) {
            logits[i] = (float) (2 * r.nextGaussian());
            target[i] = r.nextInt(2);
        }
        grad = new float[len];
        loss = BceWithLogitsLoss.builder().reduction(Reduction.MEAN).threads(threads).build();
    }

    @Benchmark
    public double forward() {
        return loss.compute(logits, dims, target, null, null, null);
    }

    @Benchmark
    public double forwardBackward() {
        double v = loss.compute(logits, dims, target, null, null, grad);
        return v + grad[0];
    }
}
