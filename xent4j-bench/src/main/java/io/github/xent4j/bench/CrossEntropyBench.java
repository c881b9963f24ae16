package io.github.xent4j.bench;

import io.github.xent4j.CrossEntropyLoss;
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

/**
 * Cross-entropy with class-index targets, float32, MEAN, with the active kernels (the Vector API
 * provider: the fork adds jdk.incubator.vector). Buffers are allocated and touched once in setup,
 * so no page fault is timed. Elements per call: n * c; divide to get Melem/s.
 *
 * <p>{@code java -jar xent4j-bench/target/benchmarks.jar CrossEntropyBench -p shape=2048x32000}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx8g"})
public class CrossEntropyBench {

    @Param({"1024x10", "8192x100", "4096x1000", "2048x32000", "512x128256"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    float[] logits;
    float[] work;
    float[] grad;
    int[] target;
    int[] dims;
    CrossEntropyLoss loss;

    @Setup
    public void setup() {
        String[] nc = shape.split("x");
        int n = Integer.parseInt(nc[0]);
        int c = Integer.parseInt(nc[1]);
        dims = new int[] {n, c};
        Random r = new Random(42);
        logits = new float[n * c];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) r.nextGaussian();
        }
        work = logits.clone();
        grad = new float[logits.length];
        target = new int[n];
        for (int i = 0; i < n; i++) {
            target[i] = r.nextInt(c);
        }
        loss = CrossEntropyLoss.builder().reduction(Reduction.MEAN).threads(threads).build();
    }

    /** Loss value only: one read of the logits (max and sum of exps per row). */
    @Benchmark
    public double forward() {
        return loss.compute(logits, dims, target, null, null, null);
    }

    /** Loss and gradient into a caller-owned buffer: one read of the logits, one write of the gradient. */
    @Benchmark
    public double forwardBackward() {
        double v = loss.compute(logits, dims, target, null, null, grad);
        return v + grad[0];
    }

    /**
     * Loss and gradient over the logits' own array (in place). The array holds a gradient after the
     * first call, which is as good an input as any for timing (finite values, same shape).
     */
    @Benchmark
    public double forwardBackwardInPlace() {
        double v = loss.compute(work, dims, target, null, null, work);
        return v + work[0];
    }
}
