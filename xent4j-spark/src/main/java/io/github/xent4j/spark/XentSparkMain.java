package io.github.xent4j.spark;

import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.spark.internal.Sample;
import io.github.xent4j.spark.internal.SyntheticData;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The spark-submit entry point ({@code --class io.github.xent4j.spark.XentSparkMain}):
 * <pre>
 * evaluate PATH [--logits COL | --probabilities COL] [--label COL] [--bins B] [--top-k K,...]
 *               [--ignore-index N] [--label-smoothing E] [--weights W,...] [--null-rows skip|fail] [--no-auc] [--json]
 * generate PATH --rows N --classes C [--seed S] [--partitions P]
 * COMMAND ... --then COMMAND ...      (several commands in one application, e.g. generate then evaluate)
 * </pre>
 * {@code evaluate} reads Parquet (logits {@code array<float>} etc. and an integer label) and prints
 * {@link ClassifierReport#toTable()}, or its JSON; {@code generate} writes seeded synthetic
 * classifier outputs ({@code label int, logits array<float>}). Exit codes: 0 success, 1 bad data,
 * 2 bad usage.
 */
public final class XentSparkMain {

    private XentSparkMain() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs the commands (separated by {@code --then}) in one SparkSession, stopping at the first that
     * fails; returns the exit code. Uses the active SparkSession if there is one, else starts one and
     * stops it at the end.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        java.util.List<String> all = Arrays.asList(args);
        int then = all.indexOf("--then");
        if (then < 0) {
            return runOne(args, out, err);
        }
        boolean own = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = own ? SparkSession.builder().appName("xent4j").getOrCreate() : null;
        try {
            int code = runOne(all.subList(0, then).toArray(new String[0]), out, err);
            return code != 0 ? code : run(all.subList(then + 1, all.size()).toArray(new String[0]), out, err);
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    private static int runOne(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !(args[0].equals("evaluate") || args[0].equals("generate"))) {
            err.println("usage: XentSparkMain evaluate PATH [options] | generate PATH --rows N --classes C [options]");
            return 2;
        }
        boolean own = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = own ? SparkSession.builder().appName("xent4j " + args[0]).getOrCreate()
                : SparkSession.getActiveSession().isDefined() ? SparkSession.active() : SparkSession.getDefaultSession().get();
        try {
            return args[0].equals("evaluate") ? evaluate(spark, args, out, err) : generate(spark, args, out, err);
        } catch (Usage u) {
            err.println("xent4j-spark " + args[0] + ": " + u.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("xent4j-spark " + args[0] + ": " + args[1] + ": " + e.getMessage());
            return 1;
        } finally {
            if (own) {
                spark.stop();
            }
        }
    }

    private static final class Usage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Usage(String m) {
            super(m);
        }
    }

    private static int evaluate(SparkSession spark, String[] a, PrintStream out, PrintStream err) {
        String path = a[1];
        XentEvaluator e = XentEvaluator.on(spark.read().parquet(path));
        CrossEntropyLoss.Builder loss = CrossEntropyLoss.builder();
        boolean json = false;
        for (int i = 2; i < a.length; i++) {
            String o = a[i];
            switch (o) {
                case "--json" -> json = true;
                case "--no-auc" -> e = e.auc(false);
                case "--logits" -> e = e.logits(value(a, ++i, o));
                case "--probabilities" -> e = e.probabilities(value(a, ++i, o));
                case "--label" -> e = e.label(value(a, ++i, o));
                case "--bins" -> e = e.calibrationBins(integer(a, ++i, o));
                case "--top-k" -> e = e.topK(Arrays.stream(value(a, ++i, o).split(",")).mapToInt(s -> parseInt(s, o)).toArray());
                case "--ignore-index" -> loss.ignoreIndex(integer(a, ++i, o));
                case "--label-smoothing" -> loss.labelSmoothing(number(a, ++i, o));
                case "--weights" -> loss.weight(Arrays.stream(value(a, ++i, o).split(",")).mapToDouble(s -> parseDouble(s, o)).toArray());
                case "--null-rows" -> e = e.nullRows(nullRows(value(a, ++i, o)));
                default -> throw new Usage("unknown option " + o);
            }
        }
        ClassifierReport r = e.loss(loss.build()).evaluate();
        out.print(json ? r.toJson() + System.lineSeparator() : r.toTable());
        out.flush();
        return 0;
    }

    private static int generate(SparkSession spark, String[] a, PrintStream out, PrintStream err) {
        String path = a[1];
        long rows = -1;
        int classes = -1;
        long seed = 42;
        int partitions = spark.sparkContext().defaultParallelism();
        for (int i = 2; i < a.length; i++) {
            String o = a[i];
            switch (o) {
                case "--rows" -> rows = Long.parseLong(value(a, ++i, o));
                case "--classes" -> classes = integer(a, ++i, o);
                case "--seed" -> seed = Long.parseLong(value(a, ++i, o));
                case "--partitions" -> partitions = integer(a, ++i, o);
                default -> throw new Usage("unknown option " + o);
            }
        }
        if (rows < 0 || classes < 1) {
            throw new Usage("give --rows N (>= 0) and --classes C (>= 1)");
        }
        final long s = seed;
        final int c = classes;
        Dataset<Sample> ds = spark.range(0, rows, 1, partitions)
                .map((MapFunction<Long, Sample>) id -> SyntheticData.sample(s, id, c), Encoders.bean(Sample.class));
        Dataset<Row> df = ds.select("label", "logits");
        df.write().mode("overwrite").parquet(path);
        err.println("wrote " + rows + " rows of " + classes + " classes to " + path);
        return 0;
    }

    private static NullRows nullRows(String s) {
        for (NullRows n : NullRows.values()) {
            if (n.name().equalsIgnoreCase(s)) {
                return n;
            }
        }
        throw new Usage("--null-rows takes skip or fail, got '" + s + "'");
    }

    private static String value(String[] a, int i, String option) {
        if (i >= a.length) {
            throw new Usage(option + " needs a value");
        }
        return a[i];
    }

    private static int integer(String[] a, int i, String option) {
        return parseInt(value(a, i, option), option);
    }

    private static double number(String[] a, int i, String option) {
        return parseDouble(value(a, i, option), option);
    }

    private static int parseInt(String s, String option) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new Usage(option + " takes an integer, got '" + s + "'");
        }
    }

    private static double parseDouble(String s, String option) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new Usage(option + " takes a number, got '" + s + "'");
        }
    }
}
