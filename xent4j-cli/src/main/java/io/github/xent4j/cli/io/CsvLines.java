package io.github.xent4j.cli.io;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The line reader of both CSV readers, {@link Csv} (numbers) and {@link LabeledCsv} (training
 * data): it opens the text (UTF-8, gunzipped if it starts like gzip), splits it into the fields of
 * its content lines, skipping blank lines, {@code #} comments and a byte order mark, tracks
 * physical line numbers, and raises the errors both readers share: an unreadable file, invalid
 * UTF-8 (with its line and byte), an empty file, a row of the wrong width, a field that is not a
 * number.
 *
 * <p>The separator is chosen on the first content line: a comma, semicolon or tab if exactly one of
 * them occurs there outside quotes (two kinds are ambiguous and rejected); otherwise runs of
 * whitespace if the line has inner whitespace (the format {@code numpy.savetxt} writes by default);
 * otherwise the file has one column. Fields are trimmed; a field may be enclosed in double quotes,
 * with {@code ""} for a quote inside, but may not span lines.
 */
final class CsvLines {

    /** What a reader makes of the lines. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(CsvLines lines) throws IOException;
    }

    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;
    private static final char WHITESPACE = ' ';
    private static final char NOT_DETECTED = '\0';

    private final BufferedReader reader;
    private final String source;
    private long lineNumber;
    private char separator = NOT_DETECTED;

    private CsvLines(BufferedReader reader, String source) {
        this.reader = reader;
        this.source = source;
    }

    /**
     * Parses {@code file}; for bad UTF-8 the error names the line and byte of the first bad one.
     *
     * @throws DataException for a directory, a file that cannot be read, or what {@code parser} throws
     */
    static <T> T read(Path file, Parser<T> parser) {
        try (BufferedReader reader = open(file)) {
            return parser.parse(new CsvLines(reader, file.toString()));
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    /** Parses a stream, such as a bundled resource, which messages call {@code source}; closes it. */
    static <T> T read(InputStream in, String source, Parser<T> parser) {
        try (BufferedReader reader = open(in)) {
            return parser.parse(new CsvLines(reader, source));
        } catch (IOException e) {
            throw DataException.io(source, "read", e);
        }
    }

    /** Parses a string, for tests and inline data. */
    static <T> T parse(String text, String source, Parser<T> parser) {
        try {
            return parser.parse(new CsvLines(new BufferedReader(new StringReader(text)), source));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** An I/O failure while reading {@code file}; for bad UTF-8, where the first bad byte is. */
    private static DataException readError(Path file, IOException e) {
        return e instanceof CharacterCodingException ? Utf8.error(file) : DataException.io(file, "read", e);
    }

    private static BufferedReader open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw DataException.at(file, "is a directory, not a file");
        }
        return open(Files.newInputStream(file));
    }

    /** UTF-8 text (malformed bytes are an error, as in Files.newBufferedReader), gunzipped if it starts like gzip. */
    private static BufferedReader open(InputStream in) throws IOException {
        try {
            BufferedInputStream buffered = new BufferedInputStream(in);
            buffered.mark(2);
            boolean gzip = buffered.read() == GZIP_MAGIC_0 && buffered.read() == GZIP_MAGIC_1;
            buffered.reset();
            InputStream data = gzip ? new GZIPInputStream(buffered) : buffered;
            return new BufferedReader(new InputStreamReader(data, StandardCharsets.UTF_8.newDecoder()));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** What messages call the text: a file name or a description. */
    String source() {
        return source;
    }

    /** The physical line number (1-based) of the line {@link #next()} returned last. */
    long lineNumber() {
        return lineNumber;
    }

    /** The fields of the next content line, or null at the end of the text. */
    List<String> next() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (separator == NOT_DETECTED) {
                separator = detect(line);
            }
            return separator == WHITESPACE ? Arrays.asList(trimmed.split("\\s+")) : split(line);
        }
        return null;
    }

    /** The fields of the first content line; an error if the text has none. */
    List<String> first() throws IOException {
        List<String> first = next();
        if (first == null) {
            throw DataException.at(source, "no data: the file is empty");
        }
        return first;
    }

    /**
     * Checks that the line {@link #next()} returned last has {@code columns} fields, like line
     * {@code shapeLine} (a {@code header} line or data).
     */
    void checkColumns(List<String> fields, int columns, long shapeLine, boolean header) {
        if (fields.size() != columns) {
            throw DataException.at(source, lineNumber, "expected " + columns + (columns == 1 ? " column" : " columns")
                    + " (like " + (header ? "the header on " : "") + "line " + shapeLine + ") but found " + fields.size());
        }
    }

    /**
     * Parses every field of line {@code line} except {@code skip} (-1 for none) into {@code out};
     * {@code finite} when the fields are features to train on, where nan and inf are errors.
     */
    void addNumbers(List<String> fields, NumberBuffer out, int skip, boolean finite, long line) {
        for (int c = 0; c < fields.size(); c++) {
            if (c == skip) {
                continue;
            }
            String field = fields.get(c);
            if (field.isEmpty()) {
                throw DataException.at(source, line, c + 1L, finite ? "empty field; every feature must be a number"
                        : "empty field; write nan for a missing value");
            }
            if (!Text.parseInto(field, out)) {
                throw DataException.at(source, line, c + 1L, Text.quote(field) + " is not a number");
            }
            if (finite && !Double.isFinite(out.getDouble(out.size() - 1))) {
                boolean overflow = Character.isDigit(field.charAt(field.length() - 1));
                throw DataException.at(source, line, c + 1L, Text.quote(field) + (overflow ? " is too large for a double"
                        : " is not a finite number; every feature must be one"));
            }
        }
    }

    private char detect(String line) {
        int commas = 0;
        int semicolons = 0;
        int tabs = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                commas += c == ',' ? 1 : 0;
                semicolons += c == ';' ? 1 : 0;
                tabs += c == '\t' ? 1 : 0;
            }
        }
        List<String> kinds = new ArrayList<>();
        if (commas > 0) {
            kinds.add("commas");
        }
        if (semicolons > 0) {
            kinds.add("semicolons");
        }
        if (tabs > 0) {
            kinds.add("tabs");
        }
        if (kinds.size() > 1) {
            throw DataException.at(source, lineNumber, "cannot tell the separator: the line contains "
                    + String.join(" and ", kinds));
        }
        if (semicolons > 0) {
            return ';';
        }
        if (tabs > 0) {
            return '\t';
        }
        if (commas == 0 && line.strip().chars().anyMatch(Character::isWhitespace)) {
            return WHITESPACE;
        }
        return ',';
    }

    private List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        int n = line.length();
        int i = 0;
        while (true) {
            while (i < n && isBlank(line.charAt(i))) {
                i++;
            }
            if (i < n && line.charAt(i) == '"') {
                StringBuilder field = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw DataException.at(source, lineNumber, fields.size() + 1L, "unclosed quote");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
                while (i < n && isBlank(line.charAt(i))) {
                    i++;
                }
                if (i < n && line.charAt(i) != separator) {
                    throw DataException.at(source, lineNumber, fields.size() + 1L,
                            "unexpected text after a closing quote");
                }
                fields.add(field.toString().strip());
            } else {
                int end = line.indexOf(separator, i);
                if (end < 0) {
                    end = n;
                }
                fields.add(line.substring(i, end).strip());
                i = end;
            }
            if (i >= n) {
                return fields;
            }
            i++;
        }
    }

    private boolean isBlank(char c) {
        return c != separator && Character.isWhitespace(c);
    }
}
