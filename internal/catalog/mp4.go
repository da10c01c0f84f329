package catalog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// An MP4 file is a sequence of boxes, each a 32-bit big-endian size (1: a
// 64-bit size follows the type; 0: the box runs to the end of its parent),
// a four-letter type, then the payload. The duration is in moov/mvhd:
// version 0 has 32-bit times, version 1 64-bit ones, each followed by the
// timescale (units per second) and the duration in those units.
//
// Only box headers are read while walking, so a large video costs a few
// small reads, wherever its moov box is.

var errNoBox = errors.New("box not found")

// topLevelBoxes are the boxes an MP4 file may start with.
var topLevelBoxes = map[string]bool{
	"ftyp": true, "styp": true, "moov": true, "mdat": true, "free": true, "skip": true, "wide": true, "pdin": true, "uuid": true,
}

// mp4Duration returns the duration in seconds of the MP4 file r of the given
// size.
func mp4Duration(r io.ReaderAt, size int64) (float64, error) {
	var first [8]byte
	if size < 8 {
		return 0, fmt.Errorf("it is only %d bytes long: it is not an MP4 file", size)
	}
	if _, err := r.ReadAt(first[:], 0); err != nil {
		return 0, fmt.Errorf("read the first box: %w", err)
	}
	if !topLevelBoxes[string(first[4:8])] {
		return 0, errors.New("it does not start with an MP4 box (ftyp): it is not an MP4 file")
	}
	moovStart, moovEnd, err := findBox(r, 0, size, "moov")
	if errors.Is(err, errNoBox) {
		return 0, errors.New("it has no moov box: it is not an MP4 file, or it was not written completely")
	}
	if err != nil {
		return 0, err
	}
	start, end, err := findBox(r, moovStart, moovEnd, "mvhd")
	if errors.Is(err, errNoBox) {
		return 0, errors.New("its moov box has no mvhd (movie header) box")
	}
	if err != nil {
		return 0, err
	}
	var buf [32]byte
	n := int64(20)
	if end-start < 1 {
		return 0, errors.New("its mvhd box is empty")
	}
	if _, err := r.ReadAt(buf[:1], start); err != nil {
		return 0, fmt.Errorf("read mvhd: %w", err)
	}
	version := buf[0]
	switch version {
	case 0:
	case 1:
		n = 32
	default:
		return 0, fmt.Errorf("its mvhd box has unknown version %d", version)
	}
	if end-start < n {
		return 0, fmt.Errorf("its mvhd box is too short (%d bytes)", end-start)
	}
	if _, err := r.ReadAt(buf[:n], start); err != nil {
		return 0, fmt.Errorf("read mvhd: %w", err)
	}
	var timescale uint32
	var duration uint64
	if version == 0 {
		timescale = binary.BigEndian.Uint32(buf[12:16])
		duration = uint64(binary.BigEndian.Uint32(buf[16:20]))
		if duration == 0xFFFFFFFF {
			duration = 0
		}
	} else {
		timescale = binary.BigEndian.Uint32(buf[20:24])
		duration = binary.BigEndian.Uint64(buf[24:32])
		if duration == 0xFFFFFFFFFFFFFFFF {
			duration = 0
		}
	}
	if timescale == 0 {
		return 0, errors.New("its mvhd box has a timescale of 0")
	}
	if duration == 0 {
		return 0, errors.New("its mvhd box gives no duration (a fragmented or live MP4? re-encode it with -movflags +faststart)")
	}
	return float64(duration) / float64(timescale), nil
}

// findBox walks the boxes between start and end and returns where the
// payload of the first box of type typ starts and ends.
func findBox(r io.ReaderAt, start, end int64, typ string) (int64, int64, error) {
	var hdr [16]byte
	for off := start; off < end; {
		if end-off < 8 {
			return 0, 0, fmt.Errorf("it ends in the middle of a box header at byte %d: the file is truncated", off)
		}
		if _, err := r.ReadAt(hdr[:8], off); err != nil {
			return 0, 0, fmt.Errorf("read box header at byte %d: %w", off, err)
		}
		size := int64(binary.BigEndian.Uint32(hdr[0:4]))
		name := hdr[4:8]
		for _, c := range name {
			if c < 0x20 || c > 0x7e {
				return 0, 0, fmt.Errorf("the bytes at %d are not an MP4 box header: it is not an MP4 file", off)
			}
		}
		headerLen := int64(8)
		switch size {
		case 0:
			size = end - off
		case 1:
			if end-off < 16 {
				return 0, 0, fmt.Errorf("it ends in the middle of a box header at byte %d: the file is truncated", off)
			}
			if _, err := r.ReadAt(hdr[8:16], off+8); err != nil {
				return 0, 0, fmt.Errorf("read box header at byte %d: %w", off, err)
			}
			large := binary.BigEndian.Uint64(hdr[8:16])
			if large > uint64(end-off) {
				return 0, 0, fmt.Errorf("box %q at byte %d is longer than the file: the file is truncated", name, off)
			}
			size = int64(large)
			headerLen = 16
		}
		if size < headerLen {
			return 0, 0, fmt.Errorf("box %q at byte %d has an impossible size %d: the file is damaged", name, off, size)
		}
		if size > end-off {
			return 0, 0, fmt.Errorf("box %q at byte %d is longer than the file: the file is truncated", name, off)
		}
		if string(name) == typ {
			return off + headerLen, off + size, nil
		}
		off += size
	}
	return 0, 0, errNoBox
}
