package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {

    @TempDir
    Path dir;

    private static String error(String text) {
        return assertThrows(DataException.class, () -> Json.parse(text, "--logits")).getMessage();
    }

    @Test
    void parseInfersShapes() {
        assertArrayEquals(new int[] {}, Json.parse("5", "v").shape());
        assertArrayEquals(new int[] {2}, Json.parse("[0, 2]", "v").shape());
        assertArrayEquals(new int[] {2, 3}, Json.parse("[[0.1,0.3,0.6],[0.3,0.2,0.5]]", "v").shape());
        assertArrayEquals(new int[] {2, 1, 2}, Json.parse("[[[1, 2]], [[3, 4]]]", "v").shape());
        assertArrayEquals(new int[] {0}, Json.parse("[]", "v").shape());
        assertArrayEquals(new int[] {2, 0}, Json.parse("[[], []]", "v").shape());
    }

    @Test
    void parseKeepsValuesInRowMajorOrder() {
        NdArray a = Json.parse("[[0.1,0.3,0.6],[0.3,0.2,0.5]]", "v");

        assertArrayEquals(new double[] {0.1, 0.3, 0.6, 0.3, 0.2, 0.5}, a.toDouble());
        assertEquals("v", a.source());
    }

    @Test
    void parseIntegersAsInt64AndAnythingElseAsFloat64() {
        assertEquals(DType.INT64, Json.parse("[0, 2, -3]", "v").dtype());
        assertEquals(DType.FLOAT64, Json.parse("[0, 2.0]", "v").dtype());
        assertEquals(DType.FLOAT64, Json.parse("[1e2]", "v").dtype());
        assertEquals(DType.INT64, Json.parse("7", "v").dtype());
        assertEquals("9007199254740993", Csv.format(Json.parse("[9007199254740993]", "v"), 0));
    }

    @Test
    void parseAcceptsTheNonFiniteTokensOfPythonsJsonButNoStrings() {
        double[] v = Json.parse("[NaN, Infinity, -Infinity]", "v").toDouble();

        assertTrue(Double.isNaN(v[0]));
        assertEquals(Double.POSITIVE_INFINITY, v[1]);
        assertEquals(Double.NEGATIVE_INFINITY, v[2]);
        assertEquals("--logits: at [0]: '0.1' is a string, not a number", error("[\"0.1\"]"));
        assertEquals("--logits: '2' is a string, not a number", error("\"2\""));
        assertEquals("--logits: at [1]: 'nan' is a string, not a number", error("[1, \"nan\"]"));
        assertTrue(error("[nan]").matches("--logits:1:\\d+: invalid JSON: unrecognized token 'nan'.*"), error("[nan]"));
    }

    @Test
    void parseLimitsNestingToNumpysDimensions() {
        assertEquals(64, Json.parse("[".repeat(64) + "1" + "]".repeat(64), "v").rank());
        assertTrue(error("[".repeat(65) + "1" + "]".repeat(65)).endsWith("arrays nested more than 64 deep; an array has at "
                + "most 64 dimensions"));
        String deep = error("[".repeat(100_000) + "]".repeat(100_000));
        assertTrue(deep.startsWith("--logits"), deep);
    }

    @Test
    void parseRejectsRaggedNestingNamingThePath() {
        assertEquals("--logits: ragged nesting at [1]: it has 1 element but [0] has 2 elements",
                error("[[1, 2], [3]]"));
        assertEquals("--logits: ragged nesting at [1]: it has more than 2 elements but [0] has 2 elements",
                error("[[1, 2], [3, 4, 5]]"));
        assertEquals("--logits: ragged nesting at [1][1]: it has 1 element but [0][0] has 2 elements",
                error("[[[1, 2], [3, 4]], [[5, 6], [7]]]"));
        assertEquals("--logits: ragged nesting at [1]: it has more than 0 elements but [0] has 0 elements",
                error("[[], [1]]"));
    }

    @Test
    void parseRejectsMixedDepths() {
        assertEquals("--logits: at [1]: expected an array but found 3", error("[[1, 2], 3]"));
        assertEquals("--logits: at [1]: expected a number but found an array", error("[1, [2]]"));
    }

    @Test
    void parseRejectsNonNumbers() {
        assertEquals("--logits: at [0][1]: 'abc' is a string, not a number", error("[[1, \"abc\"]]"));
        assertEquals("--logits: at [0]: null is not a number; write NaN for a missing value", error("[null]"));
        assertEquals("--logits: at [1]: true is not a number", error("[1, true]"));
        assertEquals("--logits: an object is not a number", error("{\"a\": 1}"));
    }

    @Test
    void parseRejectsInvalidJsonWithLineAndColumn() {
        String message = error("[[1, 2],\n [3, 4}");

        assertEquals("--logits:2:7: invalid JSON: unexpected close marker '}': expected ']' "
                + "(for Array starting at line 2, column 2)", message);
    }

    @Test
    void parseRejectsTrailingTextAndEmptyText() {
        assertEquals("--logits:1:5: unexpected text after the value", error("[1] [2]"));
        assertEquals("--logits: no value: the JSON text is empty", error("   "));
    }

    @Test
    void readPythonJsonWithNaNAndInfinity() {
        NdArray a = Json.read(Fixtures.path("text/python_json.json"));

        assertArrayEquals(new int[] {2, 3}, a.shape());
        double[] v = a.toDouble();
        assertTrue(Double.isNaN(v[1]));
        assertEquals(Double.POSITIVE_INFINITY, v[2]);
        assertEquals(Double.NEGATIVE_INFINITY, v[3]);
    }

    @Test
    void readNamesTheFileInErrors() throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "[[1], [2, 3]]");

        DataException e = assertThrows(DataException.class, () -> Json.read(file));

        assertEquals(file + ": ragged nesting at [1]: it has more than 1 element but [0] has 1 element", e.getMessage());
    }

    @Test
    void readSkipsByteOrderMark() throws IOException {
        Path file = dir.resolve("bom.json");
        Files.write(file, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '[', '1', ']'});

        assertArrayEquals(new double[] {1}, Json.read(file).toDouble());
    }

    @Test
    void formatWritesNestedArrays() {
        assertEquals("[[0.1, 0.3],\n [NaN, -Infinity]]",
                Json.format(NdArray.ofDoubles(new double[] {0.1, 0.3, Double.NaN, Double.NEGATIVE_INFINITY}, 2, 2)));
        assertEquals("[1, 2, 3]", Json.format(NdArray.ofLongs(new long[] {1, 2, 3}, 3)));
        assertEquals("2.5", Json.format(NdArray.ofFloats(new float[] {2.5f})));
        assertEquals("[]", Json.format(NdArray.ofFloats(new float[0], 0)));
    }

    @Test
    void writeRoundTrips() {
        List<NdArray> arrays = List.of(
                NdArray.ofDoubles(new double[] {0.1, 1.0 / 3, Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e-310}, 3, 2),
                NdArray.ofDoubles(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2),
                NdArray.ofLongs(new long[] {Long.MAX_VALUE, -1}, 2),
                NdArray.ofDoubles(new double[] {-7.5}));
        for (NdArray a : arrays) {
            Path file = dir.resolve("a.json");

            Json.write(file, a);
            NdArray back = Json.read(file);

            assertArrayEquals(a.shape(), back.shape());
            assertEquals(a.dtype(), back.dtype());
            assertArrayEquals(a.toDouble(), back.toDouble(), 0.0);
        }
    }
}
