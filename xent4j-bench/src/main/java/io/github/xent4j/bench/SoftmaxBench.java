package io.github.xent4j.bench;

import io.github.xent4j.Softmax;
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

/** softmax and log_softmax along the last axis of (N, C), float32 and float64, into reused buffers. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class SoftmaxBench {

    @Param({"4096x1000"})
    public String shape;

    float[] x;
    float[] out;
    double[] xd;
    double[] outD;
    int[] dims;

    @Setup
    public void setup() {
        String[] nc = shape.split("x");
        dims = new int[] {Integer.parseInt(nc[0]), Integer.parseInt(nc[1])};
        int len = dims[0] * dims[1];
        Random r = new Random(42);
        x = new float[len];
        xd = new double[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) r.nextGaussian();
            xd[i] = x[i];
        }
        out = new float[len];
        outD = new double[len];
    }

    @Benchmark
    public float softmax() {
        Softmax.DEFAULTS.softmax(x, dims, 1, out);
        return out[0];
    }

    @Benchmark
    public float logSoftmax() {
        Softmax.DEFAULTS.logSoftmax(x, dims, 1, out);
        return out[0];
    }

    @Benchmark
    public double softmaxFloat64() {
        Softmax.DEFAULTS.softmax(xd, dims, 1, outD);
        return outD[0];
    }
}
