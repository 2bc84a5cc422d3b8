package ingest

import (
	"bufio"

	"truce/internal/observation"
)

// ReadLine reads one line of JSON Lines input, of at most
// observation.MaxBytes plus its line ending. A longer line is read to its end
// and dropped, and reported as tooLong, so a huge line never stops a batch.
// err is io.EOF after the last line (which may still be returned).
func ReadLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > observation.MaxBytes+2 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return line, tooLong, err
	}
}
