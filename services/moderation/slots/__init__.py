"""The slots wing: the feeder that keeps each video's frames queue stocked from the slot
records, and the guard that re-derives a lost moderation or render queue."""
