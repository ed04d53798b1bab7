"""The contributors' wing: a visitor's own frames and their deletion, the live notice,
keep-my-frames links, share pages and images, the credits and the clip's history."""
