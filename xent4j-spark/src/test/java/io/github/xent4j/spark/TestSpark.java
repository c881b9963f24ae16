package io.github.xent4j.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of a test JVM: local[2], no UI, two shuffle partitions, everything bound to
 * 127.0.0.1 (Surefire also sets SPARK_LOCAL_IP). Starting Spark costs seconds, so every test class
 * shares it; it stops when the JVM exits.
 */
final class TestSpark {

    private static SparkSession session;

    private TestSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder()
                    .appName("xent4j-spark tests")
                    .master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/xent4j-spark-warehouse")
                    .getOrCreate();
            SparkSession s = session;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "stop-test-spark"));
        }
        return session;
    }
}
