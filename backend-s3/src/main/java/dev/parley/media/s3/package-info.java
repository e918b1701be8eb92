/** Media blobs in an S3-compatible object store. */
package dev.parley.media.s3;
