package io.github.xent4j.cli.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Finds where a text file stops being valid UTF-8, for a message that names the line and the byte:
 * a decoder reading ahead through a buffer only knows that some byte was bad.
 */
final class Utf8 {

    private Utf8() {
    }

    /**
     * The error for the first malformed or unmappable byte sequence of {@code file} (decompressed
     * first if it is gzip data): {@code "FILE:LINE: invalid UTF-8 at byte B of the line (offset O):
     * 0xNN; save the file as UTF-8"}.
     */
    static DataException error(Path file) {
        try (InputStream raw = Files.newInputStream(file)) {
            BufferedInputStream in = new BufferedInputStream(raw);
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            return locate(gzip ? new GZIPInputStream(in) : in, file.toString());
        } catch (IOException e) {
            return DataException.io(file, "read", e);
        }
    }

    /** Scans {@code in} to the first invalid sequence. */
    static DataException locate(InputStream in, String source) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
        CharBuffer chars = CharBuffer.allocate(1 << 16);
        long consumed = 0;
        long line = 1;
        long lineStart = 0;
        boolean end = false;
        while (true) {
            if (!end) {
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    end = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
            }
            bytes.flip();
            int start = bytes.position();
            CoderResult r = decoder.decode(bytes, chars, end);
            for (int i = start; i < bytes.position(); i++) {
                if (bytes.get(i) == '\n') {
                    line++;
                    lineStart = consumed + (i - start) + 1;
                }
            }
            consumed += bytes.position() - start;
            chars.clear();
            if (r.isError()) {
                int bad = bytes.get(bytes.position()) & 0xFF;
                return DataException.at(source, line, "invalid UTF-8 at byte " + (consumed - lineStart + 1) + " of the line "
                        + "(offset " + consumed + " in the file): 0x" + String.format("%02x", bad)
                        + (r.length() > 1 ? " starts a malformed " + r.length() + "-byte sequence" : "")
                        + "; save the file as UTF-8");
            }
            if (end && !bytes.hasRemaining()) {
                return DataException.at(source, "cannot read: invalid UTF-8");
            }
            if (end && r.isUnderflow()) {
                return DataException.at(source, line, "invalid UTF-8: the file ends inside a character; save it as UTF-8");
            }
            bytes.compact();
        }
    }
}
