/**
 * Media blobs in an S3-compatible object store: {@code <prefix>blobs/<sha256>[-thumb]} for finished blobs and
 * {@code <prefix>staging/<uploadId>} for uploads in progress, with pre-signed URLs for direct GETs and PUTs.
 */
package dev.parley.media.s3;
