package io.github.xent4j.cli.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Reads and writes arrays as JSON: a number is a 0-d array, an array of numbers a 1-d array, an
 * array of arrays of numbers a 2-d array, and so on; every array at the same depth must have the
 * same length.
 *
 * <p>The array is {@code INT64} when every number is written as an integer and {@code FLOAT64}
 * otherwise. As in Python's {@code json} module, the non-standard tokens {@code NaN},
 * {@code Infinity} and {@code -Infinity} are the non-finite numbers, and a string is never a number
 * ({@code ["0.1"]} and {@code "2"} are errors). Arrays nest at most {@value #MAX_DIMS} deep, numpy's
 * limit on dimensions. Errors name the element by its index path, e.g. {@code [1][2]}.
 */
public final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS)
            .build();

    /** numpy's {@code NPY_MAXDIMS}. */
    static final int MAX_DIMS = 64;

    private static final Pattern SOURCE = Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)\\]");

    private Json() {
    }

    /**
     * Reads a JSON file.
     *
     * @param file the file
     * @return the array, with {@link NdArray#source()} set to {@code file}
     * @throws DataException for an unreadable file, invalid JSON, a value that is not a number, or
     *                       ragged nesting
     */
    public static NdArray read(Path file) {
        // A byte source lets Jackson detect the encoding and skip a byte order mark.
        try (InputStream in = Files.newInputStream(file)) {
            return parse(FACTORY.createParser(in), file.toString());
        } catch (IOException e) {
            throw DataException.io(file, "read", e);
        }
    }

    /**
     * Parses JSON text, such as the value of a command-line option.
     *
     * @param text   e.g. {@code "[[0.1, 0.3, 0.6]]"}, {@code "[0, 2]"} or {@code "5"}
     * @param source what to call the text in messages, e.g. {@code "--logits"}
     * @return the array, with {@link NdArray#source()} set to {@code source}
     * @throws DataException as {@link #read(Path)}
     */
    public static NdArray parse(String text, String source) {
        try {
            return parse(FACTORY.createParser(text), source);
        } catch (IOException e) {
            throw new DataException(source + ": " + DataException.reason(e), e);
        }
    }

    private static NdArray parse(JsonParser parser, String source) throws IOException {
        try (parser) {
            if (parser.nextToken() == null) {
                throw DataException.at(source, "no value: the JSON text is empty");
            }
            Nesting nesting = new Nesting(source);
            nesting.value(parser, 0, new StringBuilder());
            if (parser.nextToken() != null) {
                JsonLocation at = parser.currentTokenLocation();
                throw DataException.at(source, at.getLineNr(), at.getColumnNr(), "unexpected text after the value");
            }
            return nesting.values.toArray(Arrays.copyOf(nesting.dims, nesting.rank), source);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String problem = "invalid JSON: " + jacksonMessage(e.getOriginalMessage());
            throw at == null ? DataException.at(source, problem)
                    : DataException.at(source, at.getLineNr(), at.getColumnNr(), problem);
        }
    }

    /** Jackson's message, starting lower-case and with its "[Source: ...; line: L, column: C]" shortened. */
    private static String jacksonMessage(String message) {
        String m = SOURCE.matcher(String.valueOf(message)).replaceAll("line $1, column $2");
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    /** Walks nested arrays, fixing the rank at the first number or empty array and each length at the first array of its depth. */
    private static final class Nesting {
        final String source;
        final NumberBuffer values;
        int rank = -1;
        int[] dims = new int[8];
        boolean[] known = new boolean[8];

        Nesting(String source) {
            this.source = source;
            this.values = new NumberBuffer(source);
        }

        /** Consumes the value at the current token, at {@code depth}, whose index path is {@code path}. */
        void value(JsonParser parser, int depth, StringBuilder path) throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.START_ARRAY) {
                array(parser, depth, path);
                return;
            }
            if (rank == -1) {
                rank = depth;
            } else if (depth < rank) {
                throw problem(path, "expected an array but found " + describe(parser));
            }
            if (!number(parser)) {
                throw problem(path, describe(parser) + (token == JsonToken.VALUE_STRING ? " is a string, not a number"
                        : " is not a number") + (token == JsonToken.VALUE_NULL ? "; write NaN for a missing value" : ""));
            }
        }

        private void array(JsonParser parser, int depth, StringBuilder path) throws IOException {
            if (rank != -1 && depth >= rank) {
                throw problem(path, "expected a number but found an array");
            }
            if (depth >= MAX_DIMS) {
                throw problem(path, "arrays nested more than " + MAX_DIMS + " deep; an array has at most "
                        + MAX_DIMS + " dimensions");
            }
            if (depth == dims.length) {
                dims = Arrays.copyOf(dims, depth * 2);
                known = Arrays.copyOf(known, depth * 2);
            }
            int length = path.length();
            int count = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (known[depth] && count >= dims[depth]) {
                    throw ragged(path, depth, "more than " + elements(dims[depth]));
                }
                path.append('[').append(count).append(']');
                value(parser, depth + 1, path);
                path.setLength(length);
                count++;
            }
            if (count == 0 && rank == -1) {
                rank = depth + 1;
            }
            if (!known[depth]) {
                known[depth] = true;
                dims[depth] = count;
            } else if (count != dims[depth]) {
                throw ragged(path, depth, elements(count));
            }
        }

        private boolean number(JsonParser parser) throws IOException {
            switch (parser.currentToken()) {
                case VALUE_NUMBER_INT:
                    if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        values.addDouble(parser.getDoubleValue());
                    } else {
                        values.addLong(parser.getLongValue());
                    }
                    return true;
                case VALUE_NUMBER_FLOAT:
                    values.addDouble(parser.getDoubleValue());
                    return true;
                default:
                    return false;
            }
        }

        private String describe(JsonParser parser) throws IOException {
            switch (parser.currentToken()) {
                case START_OBJECT:
                    return "an object";
                case VALUE_STRING:
                    return Text.quote(parser.getText());
                default:
                    return parser.getText();
            }
        }

        /** {@code path} is the array whose length differs from the first array at its depth, {@code [0]...[0]}. */
        private DataException ragged(StringBuilder path, int depth, String found) {
            return DataException.at(source, "ragged nesting at " + path + ": it has " + found + " but "
                    + "[0]".repeat(depth) + " has " + elements(dims[depth]));
        }

        private static String elements(int n) {
            return n == 1 ? "1 element" : n + " elements";
        }

        private DataException problem(StringBuilder path, String what) {
            return DataException.at(source, (path.length() == 0 ? "" : "at " + path + ": ") + what);
        }
    }

    /**
     * Writes the array as nested JSON arrays, one line per row for 2-d and higher arrays. Floating
     * values are written with the fewest digits that read back exactly; non-finite ones as
     * {@code NaN}, {@code Infinity} and {@code -Infinity}.
     *
     * @throws DataException if the file cannot be written
     */
    public static void write(Path file, NdArray array) {
        try (AtomicOutput out = AtomicOutput.create(file)) {
            Writer w = new BufferedWriter(new OutputStreamWriter(out.stream(), StandardCharsets.UTF_8));
            write(w, array);
            w.write('\n');
            w.flush();
            out.commit();
        } catch (IOException e) {
            throw DataException.io(file, "write", e);
        }
    }

    /** The array as a JSON string in the format of {@link #write(Path, NdArray)}, without a final newline. */
    public static String format(NdArray array) {
        StringBuilder sb = new StringBuilder();
        try {
            write(sb, array);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return sb.toString();
    }

    private static void write(Appendable out, NdArray array) throws IOException {
        int[] shape = array.shape();
        if (shape.length == 0) {
            out.append(element(array, 0));
            return;
        }
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            strides[axis] = stride;
            stride *= shape[axis];
        }
        writeAxis(out, array, shape, strides, 0, 0);
    }

    private static void writeAxis(Appendable out, NdArray array, int[] shape, int[] strides, int axis, int offset)
            throws IOException {
        out.append('[');
        boolean last = axis == shape.length - 1;
        for (int i = 0; i < shape[axis]; i++) {
            if (i > 0) {
                out.append(last ? ", " : (axis == 0 ? ",\n " : ", "));
            }
            if (last) {
                out.append(element(array, offset + i));
            } else {
                writeAxis(out, array, shape, strides, axis + 1, offset + i * strides[axis]);
            }
        }
        out.append(']');
    }

    private static String element(NdArray array, int i) {
        String text = Csv.format(array, i);
        switch (text) {
            case "nan":
                return "NaN";
            case "inf":
                return "Infinity";
            case "-inf":
                return "-Infinity";
            default:
                return text;
        }
    }
}
