package io.github.xent4j.spark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SessionSmokeTest {
    @Test
    void sparkStartsWithItsOwnJackson() {
        assertEquals(10L, TestSpark.session().range(10).count());
        assertEquals("127.0.0.1", TestSpark.session().conf().get("spark.driver.host"));
    }
}
